import type { App, BlockAction, BlockElementAction } from '@slack/bolt';
import type { OwnershipRequest } from '../../../domain/ownership.ts';
import { changeOwner, type OwnershipDeps } from '../../../services/change-owner.ts';
import { acceptAssignment } from '../../../services/rotation-follow-ups.ts';
import { decodeConversationRef, LEAD_ACTIONS } from '../../blocks/actions.ts';
import {
  renderAcceptReply,
  renderOwnershipReply,
  renderUnreadableAction,
} from '../../blocks/ownership-replies.ts';
import { privately } from '../private-reply.ts';

type Parsed = { readonly conversationId: string; readonly request: OwnershipRequest } | null;

/** Reads a click into a request; null when the value (or the picked user) is missing or malformed. */
type ParseAction = (action: BlockElementAction, actor: string) => Parsed;

const parseClaim: ParseAction = (action, actor) => {
  const conversationId = action.type === 'button' ? decodeConversationRef(action.value) : null;
  return conversationId ? { conversationId, request: { kind: 'claim', actor } } : null;
};

const parseRelease: ParseAction = (action, actor) => {
  const conversationId = action.type === 'button' ? decodeConversationRef(action.value) : null;
  return conversationId ? { conversationId, request: { kind: 'release', actor } } : null;
};

// A user picker has no value: the conversation rides in the block id.
const parseHandOver: ParseAction = (action, actor) => {
  if (action.type !== 'users_select' || !action.selected_user) return null;
  const conversationId = decodeConversationRef(action.block_id);
  return conversationId
    ? { conversationId, request: { kind: 'handover', actor, to: action.selected_user } }
    : null;
};

const PARSERS: ReadonlyArray<readonly [string, ParseAction]> = [
  [LEAD_ACTIONS.claim, parseClaim],
  [LEAD_ACTIONS.release, parseRelease],
  [LEAD_ACTIONS.handOver, parseHandOver],
];

/** Claim, hand-over and release: ack, parse, change the owner, answer privately; and Accept. */
export function registerOwnershipActions(app: App, deps: OwnershipDeps): void {
  app.action<BlockAction>(LEAD_ACTIONS.accept, async ({ ack, action, body, respond }) => {
    await ack();
    const conversationId = action.type === 'button' ? decodeConversationRef(action.value) : null;
    const answer = conversationId
      ? renderAcceptReply(await acceptAssignment(conversationId, body.user.id, deps))
      : renderUnreadableAction();
    await respond(privately(answer, { replaceOriginal: false }));
  });
  for (const [actionId, parse] of PARSERS) {
    app.action<BlockAction>(actionId, async ({ ack, action, body, respond }) => {
      await ack();
      const parsed = parse(action, body.user.id);
      const answer = parsed
        ? renderOwnershipReply(await changeOwner(parsed.conversationId, parsed.request, deps), body.user.id)
        : renderUnreadableAction();
      await respond(privately(answer, { replaceOriginal: false }));
    });
  }
}
