/** Slack's Block Kit limits that this bot can reach, in one place. */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  sectionFieldText: 2000,
  sectionFields: 10,
  headerText: 150,
  contextElementText: 2000,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  /** Slack truncates the fallback text of a message at 40,000; 4,000 keeps notifications readable. */
  fallbackText: 4000,
} as const;

const MARKER = '… (truncated)';

/**
 * Cuts text to at most `max` UTF-16 units with a visible marker, never splitting a surrogate pair
 * (emoji, non-Latin scripts) or an HTML entity written by escapeMrkdwn.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - MARKER.length);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const entityStart = text.lastIndexOf('&', cut - 1);
  if (entityStart !== -1 && cut - entityStart < 5 && !text.slice(entityStart, cut).includes(';')) {
    cut = entityStart;
  }
  return text.slice(0, cut) + MARKER;
}
