import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { escapeMrkdwn } from '../../../domain/mrkdwn.ts';
import { parseRulesDocument } from '../../../domain/rules-document.ts';
import { admin, ImportFailedError } from '../../../services/admin-rules.ts';
import { admitAdmin, recordAdminChange } from '../../../services/audit-admin-action.ts';
import { describeFailure, failureField, withoutEndpoints } from '../../../stores/failure.ts';
import { LEAD_ACTIONS } from '../../blocks/actions.ts';
import { describeChange } from '../../blocks/admin-changes.ts';
import { renderCommandReply } from '../../blocks/admin-replies.ts';
import type { CommandDeps } from '../../commands/leads-commands.ts';
import { privately } from '../private-reply.ts';

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A previewed import is applied only when an admin confirms it within this time. */
const PENDING_MAX_AGE_MS = 60 * 60_000;

/**
 * What the admin who pressed Import is told when it failed, in one line, never a stack: a failed write
 * (put back, and audited as such), or anything else (logged with its cause).
 */
async function importFailure(error: unknown, who: { by: string; command: string }, deps: CommandDeps) {
  const reason = escapeMrkdwn(
    withoutEndpoints(describeFailure(error instanceof ImportFailedError ? error.cause : error)),
  );
  deps.log?.error('a rules import failed', {
    ...(error instanceof ImportFailedError ? { rolledBack: error.rolledBack } : {}),
    error: failureField(error instanceof ImportFailedError ? error.cause : error),
  });
  if (!(error instanceof ImportFailedError))
    return `⚠️ The import did not finish: ${reason}. Check \`/leads rules\` and \`/leads audit\`, then try again.`;
  await recordAdminChange(
    { ...who, command: 'rules import' },
    {
      before: null,
      after: error.rolledBack ? 'import failed, nothing changed' : 'import failed, partly undone',
    },
    deps,
  ).catch(() => {}); // the answer matters more than its audit line, which the log has too
  return `⚠️ ${capitalised(error.message)}. The reason: ${reason}.`;
}

/** The Import and Cancel buttons of `/leads rules import`: admin-checked (and audited) again at the click. */
export function registerRulesImportActions(app: App, deps: CommandDeps): void {
  app.action<BlockAction<ButtonAction>>(
    LEAD_ACTIONS.confirmRulesImport,
    async ({ ack, action, body, respond }) => {
      await ack();
      const answer = async (text: string) =>
        respond(privately(renderCommandReply(text), { replaceOriginal: true }));
      const who = { by: body.user.id, command: 'rules import (confirm)' };
      if (!(await admitAdmin(who, deps))) {
        await answer('⛔ Only an admin can confirm an import.');
        return;
      }
      const pending = await deps.pending.take(action.value ?? '', deps.clock(), PENDING_MAX_AGE_MS);
      const parsed = pending === null ? null : parseRulesDocument(pending.payload);
      if (parsed === null || !parsed.ok) {
        await answer(
          '⚠️ This import was already applied, cancelled, or is more than an hour old: run `/leads rules import` again.',
        );
        return;
      }
      try {
        const change = describeChange(await admin.importRules(deps, parsed.document));
        await recordAdminChange({ ...who, command: 'rules import' }, change, deps);
        await answer(change.summary);
      } catch (error) {
        await answer(await importFailure(error, who, deps));
      }
    },
  );

  app.action<BlockAction<ButtonAction>>(
    LEAD_ACTIONS.cancelRulesImport,
    async ({ ack, action, body, respond }) => {
      await ack();
      const answer = async (text: string) =>
        respond(privately(renderCommandReply(text), { replaceOriginal: true }));
      if (!(await admitAdmin({ by: body.user.id, command: 'rules import (cancel)' }, deps))) {
        await answer('⛔ Only an admin can cancel an import.');
        return;
      }
      await deps.pending.take(action.value ?? '', deps.clock(), PENDING_MAX_AGE_MS);
      await answer('Import cancelled: nothing changed.');
    },
  );
}
