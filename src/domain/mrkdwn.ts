/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` are the only characters Slack gives meaning to in
 * mentions (`<!channel>`, `<@U1>`) and links (`<https://x|y>`), so a lead's text can never ping or link.
 * Enough inside code spans and blocks, where Slack applies no formatting; everywhere else use
 * `literalMrkdwn`.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Invisible: keeps the text as written on screen, while Slack no longer sees formatting or a link in it. */
const ZERO_WIDTH_SPACE = '\u200B';

/**
 * Someone else's text (a lead's, or what a user typed) shown exactly as written inside our mrkdwn:
 * escaped as above, and with a zero-width space around each formatting mark (`*` `_` `~` `` ` ``) and
 * after each `:` `.` `@` that is followed by more text, so Slack sees no bold, italics, strike, code,
 * emoji code, URL, bare domain or e-mail address to format or auto-link. Slack has no escape for these
 * marks; the zero-width spaces are invisible, though they are copied along with the text.
 */
export function literalMrkdwn(text: string): string {
  return escapeMrkdwn(text)
    .replace(/[*_~`]/g, (mark) => `${ZERO_WIDTH_SPACE}${mark}${ZERO_WIDTH_SPACE}`)
    .replace(/([:.@])(?=[^\s])/g, `$1${ZERO_WIDTH_SPACE}`);
}

/**
 * A web address from elsewhere (a CRM's answer) made safe inside a Slack link `<url|text>`: only
 * http(s) addresses; `|` (which would end the address and start the link's text) percent-encoded, and
 * `&` `<` `>` escaped as Slack asks. Null for anything else, so no link is shown.
 */
export function slackLinkUrl(address: string): string | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return escapeMrkdwn(url.href.replaceAll('|', '%7C'));
}
