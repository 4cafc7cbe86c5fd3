import type { App } from '@slack/bolt';
import type { FollowUpKind } from '../../../domain/conversation.ts';
import { CLOSE_OUTCOMES, type CloseOutcome } from '../../../domain/conversation.ts';
import { parseTimeOfDay } from '../../../domain/follow-through.ts';
import type { OwnershipDeps } from '../../../services/change-owner.ts';
import { closeLead } from '../../../services/close-lead.ts';
import { followUpTarget, logFollowUp } from '../../../services/log-follow-up.ts';
import { CLOSE_MODAL, decodeConversationRef, FOLLOW_UP_MODAL } from '../../blocks/actions.ts';
import { CLOSE_INPUTS } from '../../blocks/close.ts';
import { FOLLOW_UP_INPUTS, FOLLOW_UP_KINDS } from '../../blocks/follow-up.ts';
import { followUpRefusalText } from '../../blocks/follow-up-replies.ts';

interface StateValue {
  readonly selected_option?: { readonly value?: string } | null;
  readonly value?: string | null;
  readonly selected_date?: string | null;
  readonly selected_time?: string | null;
}
type StateValues = Readonly<Record<string, Readonly<Record<string, StateValue>>>>;

const KINDS = new Set<string>(FOLLOW_UP_KINDS.map(([kind]) => kind));

/** The submitted forms: ack with field errors when something is off, else record the follow-up or closure. */
export function registerFollowUpSubmitted(app: App, deps: OwnershipDeps): void {
  app.view(CLOSE_MODAL, async ({ ack, body, view }) => {
    const values = view.state.values as StateValues;
    const outcome =
      values[CLOSE_INPUTS.outcome.block]?.[CLOSE_INPUTS.outcome.action]?.selected_option?.value ?? '';
    const reason = values[CLOSE_INPUTS.reason.block]?.[CLOSE_INPUTS.reason.action]?.value?.trim() || null;
    const conversationId = decodeConversationRef(view.private_metadata);
    if (!(CLOSE_OUTCOMES as readonly string[]).includes(outcome) || conversationId === null) {
      await ack({
        response_action: 'errors',
        errors: { [CLOSE_INPUTS.outcome.block]: 'Choose an outcome.' },
      });
      return;
    }
    const target = await followUpTarget(conversationId, body.user.id, deps);
    if (target.kind !== 'ok') {
      await ack({
        response_action: 'errors',
        errors: { [CLOSE_INPUTS.outcome.block]: followUpRefusalText(target).replace(/\*/g, '') },
      });
      return;
    }
    await ack();
    await closeLead(
      conversationId,
      { by: body.user.id, at: deps.clock(), outcome: outcome as CloseOutcome, reason },
      deps,
    );
  });

  app.view(FOLLOW_UP_MODAL, async ({ ack, body, view }) => {
    const values = view.state.values as StateValues;
    const kind =
      values[FOLLOW_UP_INPUTS.kind.block]?.[FOLLOW_UP_INPUTS.kind.action]?.selected_option?.value ?? '';
    const note = values[FOLLOW_UP_INPUTS.note.block]?.[FOLLOW_UP_INPUTS.note.action]?.value?.trim() || null;
    const nextStepOn =
      values[FOLLOW_UP_INPUTS.nextStep.block]?.[FOLLOW_UP_INPUTS.nextStep.action]?.selected_date ?? null;
    const nextStepTime =
      values[FOLLOW_UP_INPUTS.nextStepTime.block]?.[FOLLOW_UP_INPUTS.nextStepTime.action]?.selected_time ??
      null;
    const conversationId = decodeConversationRef(view.private_metadata);
    if (!KINDS.has(kind) || conversationId === null) {
      await ack({
        response_action: 'errors',
        errors: { [FOLLOW_UP_INPUTS.kind.block]: 'Choose what you did.' },
      });
      return;
    }
    if (nextStepOn !== null && !/^\d{4}-\d{2}-\d{2}$/.test(nextStepOn)) {
      await ack({ response_action: 'errors', errors: { [FOLLOW_UP_INPUTS.nextStep.block]: 'Pick a date.' } });
      return;
    }
    if (nextStepTime !== null && (nextStepOn === null || parseTimeOfDay(nextStepTime) === null)) {
      await ack({
        response_action: 'errors',
        errors: { [FOLLOW_UP_INPUTS.nextStepTime.block]: 'Pick the day of the next step too.' },
      });
      return;
    }
    // Checked before closing the modal, so a refusal is shown where the rep is looking.
    const target = await followUpTarget(conversationId, body.user.id, deps);
    if (target.kind !== 'ok') {
      await ack({
        response_action: 'errors',
        errors: { [FOLLOW_UP_INPUTS.kind.block]: followUpRefusalText(target).replace(/\*/g, '') },
      });
      return;
    }
    await ack();
    await logFollowUp(
      conversationId,
      { by: body.user.id, at: deps.clock(), kind: kind as FollowUpKind, note, nextStepOn, nextStepTime },
      deps,
    );
  });
}
