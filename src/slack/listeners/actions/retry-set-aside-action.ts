import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { leadIdText } from '../../../domain/lead.ts';
import { admitAdmin, recordAdminChange } from '../../../services/audit-admin-action.ts';
import { decodeLeadRef, LEAD_ACTIONS } from '../../blocks/actions.ts';
import { renderCommandReply } from '../../blocks/admin-replies.ts';
import type { CommandDeps } from '../../commands/leads-commands.ts';
import { privately } from '../private-reply.ts';

/** Retry on a set-aside lead or CRM write (`/leads failed`): admin-checked and audited. */
export function registerRetrySetAsideAction(app: App, deps: CommandDeps): void {
  app.action<BlockAction<ButtonAction>>(
    LEAD_ACTIONS.retrySetAside,
    async ({ ack, action, body, respond }) => {
      await ack();
      const answer = (text: string) =>
        respond(privately(renderCommandReply(text), { replaceOriginal: false }));
      const id = decodeLeadRef(action.value);
      const who = { by: body.user.id, command: `failed retry ${id ? leadIdText(id) : '(unreadable)'}` };
      if (!(await admitAdmin(who, deps))) {
        await answer('⛔ Only an admin can retry a set-aside lead.');
        return;
      }
      if (id === null || !(await deps.leadRecords.requestRetry(id))) {
        await answer(
          '⚠️ That lead is not set aside: it is unknown, or was already retried or posted. Nothing was changed.',
        );
        return;
      }
      await recordAdminChange(who, { before: 'set aside', after: 'retry requested' }, deps);
      await answer('🔁 Retry requested: the next poll posts the lead (within a minute).');
    },
  );

  // Retry on a CRM write the CRM refused: queued again as a first attempt, admin-checked and audited.
  app.action<BlockAction<ButtonAction>>(
    LEAD_ACTIONS.retryCrmWrite,
    async ({ ack, action, body, respond }) => {
      await ack();
      const answer = (text: string) =>
        respond(privately(renderCommandReply(text), { replaceOriginal: false }));
      const key = action.value ?? '';
      const who = { by: body.user.id, command: `failed crm retry ${key.slice(0, 100)}` };
      if (!(await admitAdmin(who, deps))) {
        await answer('⛔ Only an admin can retry a CRM write.');
        return;
      }
      if (deps.crm === undefined || !(await deps.crm.outbox.retry(key, deps.clock()))) {
        await answer(
          '⚠️ That CRM write is not set aside: it is unknown, or was already retried. Nothing was changed.',
        );
        return;
      }
      await recordAdminChange(who, { before: 'refused by the CRM', after: 'retry requested' }, deps);
      await answer(`🔁 Retry requested: the lead is written to ${deps.crm.name} within a minute.`);
    },
  );
}
