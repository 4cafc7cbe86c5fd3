import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { addHours } from 'date-fns/addHours';
import type { SnoozeOutcome } from '../../../domain/conversation.ts';
import { tomorrowMorning } from '../../../domain/sla.ts';
import type { OwnershipDeps } from '../../../services/change-owner.ts';
import { qualifyLead } from '../../../services/close-lead.ts';
import { followUpTarget, snoozeReminders } from '../../../services/log-follow-up.ts';
import type { DueStore } from '../../../stores/due-store.ts';
import { decodeConversationRef, LEAD_ACTIONS } from '../../blocks/actions.ts';
import { closeModal } from '../../blocks/close.ts';
import { followUpModal } from '../../blocks/follow-up.ts';
import {
  renderFollowUpRefusal,
  renderQualifyReply,
  renderSnoozeReply,
} from '../../blocks/follow-up-replies.ts';
import { renderUnreadableAction } from '../../blocks/ownership-replies.ts';
import type { SlackGateway } from '../../gateway.ts';
import { privately } from '../private-reply.ts';

export interface FollowUpActionDeps extends OwnershipDeps {
  readonly due: DueStore;
  /** Opens the modals (the trigger id of a click is only valid for 3 seconds). */
  readonly gateway: SlackGateway;
}

const SNOOZES: ReadonlyArray<
  readonly [string, (now: Date, timeZone: () => Promise<string | null>) => Promise<Date>]
> = [
  [LEAD_ACTIONS.snooze1h, async (now) => addHours(now, 1)],
  [LEAD_ACTIONS.snooze4h, async (now) => addHours(now, 4)],
  [LEAD_ACTIONS.snoozeTomorrow, async (now, timeZone) => tomorrowMorning(now, (await timeZone()) ?? 'UTC')],
];

/** Log follow-up and Close (each opens its modal), and the snooze buttons of a reminder. */
export function registerFollowUpActions(app: App, deps: FollowUpActionDeps): void {
  // Both open a modal, for the owner or a manager only; anyone else is told why, privately.
  const modals = [
    [LEAD_ACTIONS.logFollowUp, followUpModal],
    [LEAD_ACTIONS.close, closeModal],
  ] as const;
  for (const [actionId, modal] of modals) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond }) => {
      await ack();
      const conversationId = decodeConversationRef(action.value);
      if (conversationId === null) {
        await respond(privately(renderUnreadableAction(), { replaceOriginal: false }));
        return;
      }
      const target = await followUpTarget(conversationId, body.user.id, deps);
      if (target.kind === 'ok') await deps.gateway.openModal(body.trigger_id, modal(conversationId));
      else await respond(privately(renderFollowUpRefusal(target), { replaceOriginal: false }));
    });
  }

  app.action<BlockAction<ButtonAction>>(LEAD_ACTIONS.qualify, async ({ ack, action, body, respond }) => {
    await ack();
    const conversationId = decodeConversationRef(action.value);
    const answer =
      conversationId === null
        ? renderUnreadableAction()
        : renderQualifyReply(await qualifyLead(conversationId, body.user.id, deps));
    await respond(privately(answer, { replaceOriginal: false }));
  });

  for (const [actionId, untilOf] of SNOOZES) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond }) => {
      await ack();
      const conversationId = decodeConversationRef(action.value);
      let outcome: SnoozeOutcome | null = null;
      if (conversationId !== null) {
        const until = await untilOf(
          deps.clock(),
          async () => (await deps.slack.userProfile(body.user.id)).timeZone,
        );
        outcome = await snoozeReminders(conversationId, body.user.id, until, deps);
      }
      const answer = outcome === null ? renderUnreadableAction() : renderSnoozeReply(outcome);
      await respond(privately(answer, { replaceOriginal: false }));
    });
  }
}
