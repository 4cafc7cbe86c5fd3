import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseInboundLead } from '../domain/inbound-lead.ts';
import { leadIdText } from '../domain/lead.ts';
import type { Logger } from '../logger.ts';
import type { LeadTableWriter } from '../stores/lead-table.ts';

export interface InboundLeadDeps {
  /** The secret part of the URL given to Partner Center. */
  readonly token: string;
  readonly writer: LeadTableWriter;
  /** Asks the poller to run now, so a pushed lead reaches Slack in seconds. */
  readonly nudge: () => void;
  readonly clock: () => Date;
  readonly log: Logger;
}

/** Microsoft's lead bodies are a few hundred bytes; anything past this is refused unread. */
export const MAX_BODY_BYTES = 64 * 1024;
export const INBOUND_PATH_PREFIX = '/leads/inbound/';

// Both sides are hashed first so the comparison takes the same time whatever the length of the guess.
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
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
  const token = decodeURIComponent((req.url ?? '').split('?')[0]?.slice(INBOUND_PATH_PREFIX.length) ?? '');
  if (!sameSecret(token, deps.token)) {
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
  try {
    const id = await deps.writer.insert(parsed.columns, now);
    deps.log.info('stored a pushed lead', { leadId: leadIdText(id) });
    answer(res, 201, { stored: leadIdText(id) });
  } catch (error) {
    deps.log.error('could not store a pushed lead', { error });
    answer(res, 503, { error: 'the lead could not be stored; try again' });
    return;
  }
  deps.nudge();
}
