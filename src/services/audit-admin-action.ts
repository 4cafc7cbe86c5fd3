import type { AuditLog } from '../stores/audit-log.ts';
import type { Roles } from './roles.ts';

export interface AdminAuditDeps {
  readonly roles: Roles;
  readonly auditLog: AuditLog;
  readonly clock: () => Date;
}

/** A change as the audit keeps it: in words (the Slack side words admin changes; the CLI its own). */
export interface AuditedChange {
  readonly before: string | null;
  readonly after: string | null;
}

/** Who did what: a Slack user id (or `cli` for `npm run rules`), and the command as typed. */
export interface AdminActor {
  readonly by: string;
  readonly command: string;
}

/**
 * Checks that the actor is an admin before anything else is read or done; a refusal is recorded in
 * the audit log. True when they may go on.
 */
export async function admitAdmin(actor: AdminActor, deps: AdminAuditDeps): Promise<boolean> {
  if (await deps.roles.isAdmin(actor.by)) return true;
  await deps.auditLog.record({ at: deps.clock(), ...actor, allowed: false, before: null, after: null });
  return false;
}

/** Records an admin's change, with what it replaced. */
export async function recordAdminChange(
  actor: AdminActor,
  change: AuditedChange,
  deps: Pick<AdminAuditDeps, 'auditLog' | 'clock'>,
): Promise<void> {
  await deps.auditLog.record({
    at: deps.clock(),
    ...actor,
    allowed: true,
    before: change.before,
    after: change.after,
  });
}
