import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { parseRulesDocument } from '../../../domain/rules-document.ts';
import { admin } from '../../../services/admin-rules.ts';
import { LEAD_ACTIONS } from '../../blocks/actions.ts';
import { renderCommandReply } from '../../blocks/admin-replies.ts';
import type { CommandDeps } from '../../commands/leads-commands.ts';

/** A previewed import is applied only when an admin confirms it within this time. */
const PENDING_MAX_AGE_MS = 60 * 60_000;

/** The Import and Cancel buttons of `/leads rules import`: admin-checked again at the click. */
export function registerRulesImportActions(app: App, deps: CommandDeps): void {
  app.action<BlockAction<ButtonAction>>(
    LEAD_ACTIONS.confirmRulesImport,
    async ({ ack, action, body, respond }) => {
      await ack();
      const actor = body.user.id;
      const answer = async (text: string) =>
        respond({ response_type: 'ephemeral', replace_original: true, ...renderCommandReply(text) });
      if (!(await deps.roles.isAdmin(actor))) {
        await deps.auditLog.record({
          at: deps.clock(),
          by: actor,
          command: 'rules import (confirm)',
          allowed: false,
          before: null,
          after: null,
        });
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
      const change = await admin.importRules(deps, parsed.document);
      await deps.auditLog.record({
        at: deps.clock(),
        by: actor,
        command: 'rules import',
        allowed: true,
        before: change.before,
        after: change.after,
      });
      await answer(change.summary);
    },
  );

  app.action<BlockAction<ButtonAction>>(LEAD_ACTIONS.cancelRulesImport, async ({ ack, action, respond }) => {
    await ack();
    await deps.pending.take(action.value ?? '', deps.clock(), PENDING_MAX_AGE_MS);
    await respond({
      response_type: 'ephemeral',
      replace_original: true,
      ...renderCommandReply('Import cancelled: nothing changed.'),
    });
  });
}
