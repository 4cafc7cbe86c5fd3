/**
 * Escapes text for Slack mrkdwn: `&`, `<` and `>` are the only characters Slack gives meaning to in
 * mentions (`<!channel>`, `<@U1>`) and links (`<https://x|y>`), so a lead's text can never ping or link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
