import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startOfHour } from 'date-fns/startOfHour';
import { PUSHES_PER_CUSTOMER_PER_HOUR, parseInboundLead, pushingCustomerOf } from '../domain/inbound-lead.ts';
import { leadIdText } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import { failureField } from '../stores/failure.ts';
import { LeadNotStoredError, type LeadTableWriter } from '../stores/lead-table.ts';
import type { PushRateStore } from '../stores/push-rate-store.ts';

export interface InboundLeadDeps {
  /** The secret part of the URL given to Partner Center. */
  readonly token: string;
  readonly writer: LeadTableWriter;
  /** Counts each customer's pushes, so one address cannot flood its conversation. */
  readonly pushRates: PushRateStore;
  /** Asks the poller to run now, so a pushed lead reaches Slack in seconds. */
  readonly nudge: () => void;
  readonly clock: () => Date;
  readonly log: Logger;
}

/**
 * Microsoft's lead bodies are a few hundred bytes. Anything up to this is read (oversize fields are cut
 * to fit the table, never refused: Microsoft does not re-send); past it, the request is refused unread.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
export const INBOUND_PATH_PREFIX = '/leads/inbound/';

// Both sides are hashed first so the comparison takes the same time whatever the length of the guess.
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Any text with the endpoint's path in it (a log line), with what follows the prefix hidden. */
export function redactInboundTokens(text: string): string {
  return text.replaceAll(
    new RegExp(`${INBOUND_PATH_PREFIX}[^\\s?#]*`, 'g'),
    `${INBOUND_PATH_PREFIX}<redacted>`,
  );
}

/** The token segment of the path, decoded; null when it is not valid percent-encoding. */
function decodedPathToken(url: string): string | null {
  try {
    return decodeURIComponent(url.split('?')[0]?.slice(INBOUND_PATH_PREFIX.length) ?? '');
  } catch {
    return null;
  }
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * POST /leads/inbound/<token>: stores Microsoft's pushed lead in the lead table (same row shape as the
 * table destination) and answers 2xx only once it is stored; every refusal says why. Microsoft looks
 * only at the status and does not re-send, so a 5xx is the honest answer when storage fails.
 */
export async function handleInboundLead(
  req: IncomingMessage,
  res: ServerResponse,
  deps: InboundLeadDeps,
): Promise<void> {
  const token = decodedPathToken(req.url ?? '');
  if (token === null || !sameSecret(token, deps.token)) {
    // Never log the token that was tried: it may be a near-miss of the real one.
    deps.log.warn('refused a pushed lead with a wrong token', { remoteAddress: req.socket.remoteAddress });
    answer(res, 401, { error: 'unknown endpoint token' });
    return;
  }
  let text: string;
  try {
    text = await readBody(req);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    answer(res, 413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
    req.destroy();
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    answer(res, 400, { error: 'the body is not valid JSON' });
    return;
  }
  const now = deps.clock();
  const parsed = parseInboundLead(json, now);
  if (!parsed.ok) {
    answer(res, 400, { error: parsed.problem });
    return;
  }
  const customer = pushingCustomerOf(parsed.columns);
  if (customer !== null) {
    const hour = startOfHour(now);
    if (!(await deps.pushRates.admit(customer, hour, PUSHES_PER_CUSTOMER_PER_HOUR))) {
      const retryAfter = Math.max(1, Math.ceil((hour.getTime() + 3_600_000 - now.getTime()) / 1000));
      deps.log.warn('refused a pushed lead: too many for one customer this hour', {
        limit: PUSHES_PER_CUSTOMER_PER_HOUR,
      });
      res.setHeader('retry-after', String(retryAfter));
      answer(res, 429, {
        error: `more than ${PUSHES_PER_CUSTOMER_PER_HOUR} leads for this customer this hour; try again later`,
      });
      return;
    }
  }
  try {
    const { id, created } = await deps.writer.insert(parsed.columns, now);
    deps.log.info(created ? 'stored a pushed lead' : 'a pushed lead was already stored', {
      leadId: leadIdText(id),
    });
    answer(res, created ? 201 : 200, { stored: leadIdText(id), ...(created ? {} : { duplicate: true }) });
  } catch (error) {
    // Only the table service being unreachable or failing (5xx, no answer) is worth a retry.
    const retryable = !(error instanceof LeadNotStoredError) || error.retryable;
    deps.log.error('could not store a pushed lead', { error: failureField(error), retryable });
    answer(res, retryable ? 503 : 500, {
      error: retryable ? 'the lead could not be stored; try again' : 'the lead could not be stored',
    });
    return;
  }
  deps.nudge();
}
