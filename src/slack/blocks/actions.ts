import type { LeadId } from '../../domain/lead.ts';
import { SLACK_LIMITS } from './limits.ts';

/** The action ids of the lead message's controls. */
export const LEAD_ACTIONS = {
  claim: 'lead_claim',
  accept: 'lead_accept',
  handOver: 'lead_hand_over',
  release: 'lead_release',
  logFollowUp: 'lead_log_follow_up',
  close: 'lead_close',
  qualify: 'lead_qualify',
  confirmRulesImport: 'rules_import_confirm',
  cancelRulesImport: 'rules_import_cancel',
  snooze1h: 'lead_snooze_1h',
  snooze4h: 'lead_snooze_4h',
  snoozeTomorrow: 'lead_snooze_tomorrow',
  retrySetAside: 'lead_retry_set_aside',
  retryCrmWrite: 'lead_retry_crm_write',
} as const;

/** Callback id of the follow-up modal; its private metadata is the conversation reference. */
export const FOLLOW_UP_MODAL = 'lead_follow_up_modal';
export const CLOSE_MODAL = 'lead_close_modal';

/** Block id of the controls; a user picker carries its conversation here, since it has no value. */
export const OWNERSHIP_BLOCK_PREFIX = 'ownership:';

const CONVERSATION_ID = /^[0-9a-f]{32}$/;

/** A button's value: which conversation it acts on. It carries no authority: the clicker is checked. */
export function encodeConversationRef(conversationId: string): string {
  const value = JSON.stringify({ v: 1, c: conversationId });
  if (value.length > SLACK_LIMITS.buttonValue) throw new Error('conversation reference too long');
  return value;
}

/** A button acting on one conversation (its value names it). */
export const conversationButton = (
  conversationId: string,
  action_id: string,
  label: string,
  style?: 'primary',
) => ({
  type: 'button' as const,
  action_id,
  text: { type: 'plain_text' as const, text: label },
  value: encodeConversationRef(conversationId),
  ...(style ? { style } : {}),
});

/** The conversation a button value or block id names; null for anything malformed or forged. */
export function decodeConversationRef(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (value.startsWith(OWNERSHIP_BLOCK_PREFIX)) {
    const id = value.slice(OWNERSHIP_BLOCK_PREFIX.length);
    return CONVERSATION_ID.test(id) ? id : null;
  }
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { v, c } = parsed as { v?: unknown; c?: unknown };
    return v === 1 && typeof c === 'string' && CONVERSATION_ID.test(c) ? c : null;
  } catch {
    return null;
  }
}

/** A Retry button's value: the set-aside lead's identity. Carries no authority: the clicker is checked. */
export function encodeLeadRef(id: LeadId): string {
  return JSON.stringify({ v: 1, pk: id.partitionKey, rk: id.rowKey });
}

/** The lead a Retry button names; null for anything malformed or forged. */
export function decodeLeadRef(value: unknown): LeadId | null {
  if (typeof value !== 'string' || value.length > SLACK_LIMITS.buttonValue) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { v, pk, rk } = parsed as { v?: unknown; pk?: unknown; rk?: unknown };
    return v === 1 && typeof pk === 'string' && typeof rk === 'string' && pk !== '' && rk !== ''
      ? { partitionKey: pk, rowKey: rk }
      : null;
  } catch {
    return null;
  }
}
