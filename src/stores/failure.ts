/**
 * A failure in one line an operator can act on. The table service answers errors as XML or JSON
 * documents, which the storage client puts in its error's message; this keeps the status, the code and
 * the service's first sentence (e.g. "the table service answered 403 AuthorizationPermissionMismatch:
 * This request is not authorized to perform this operation using this permission.").
 */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
  if (error.name !== 'RestError' || typeof statusCode !== 'number') return firstLine(error.message);
  const message =
    /<Message>([^\n<]*)/.exec(error.message)?.[1] ??
    /"value"\s*:\s*"([^"\\]*)/.exec(error.message)?.[1] ??
    firstLine(error.message);
  const serviceCode =
    (typeof code === 'string' ? code : null) ??
    /<Code>([^<]*)/.exec(error.message)?.[1] ??
    /"code"\s*:\s*"([^"]*)/.exec(error.message)?.[1];
  // Why authentication failed (a token's audience, an expired SAS) is in a detail element of its own.
  const detail = /<AuthenticationErrorDetail>([^<]*)/.exec(error.message)?.[1];
  return `the table service answered ${statusCode}${serviceCode ? ` ${serviceCode}` : ''}: ${message}${detail ? ` (${detail})` : ''}`;
}

const firstLine = (text: string) => text.split('\n')[0] ?? '';

/** Network failures of a service that is down or unreachable: expected, and said in one line. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
]);

/**
 * How a failure goes into a log line: a failure the bot expects in the field (the table service or Slack
 * refusing or unreachable) as its one-line reason; anything else, a bug, with its stack.
 */
export function failureField(error: unknown): unknown {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as Error & { code?: unknown };
  const expected =
    error.name === 'RestError' ||
    error.name === 'SlackCallError' ||
    (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR')));
  return expected ? describeFailure(error) : error;
}

/**
 * A failure's reason without the endpoint it names (a URL, an address and port, an unresolved host name):
 * /healthz (and a user's answer) reach people who need no host name, and the storage account's host is for the log, which keeps it.
 */
export function withoutEndpoints(text: string): string {
  return text
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>)]+/gi, '<endpoint>')
    .replace(/\[[0-9a-f:.]+\](?::\d+)?/gi, '<endpoint>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<endpoint>')
    .replace(/\b(?:[a-z0-9-]+\.)+[a-z0-9-]+:\d+\b/gi, '<endpoint>')
    .replace(/\b(ENOTFOUND|EAI_AGAIN) \S+/g, '$1 <endpoint>');
}
