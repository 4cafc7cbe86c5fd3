import type { SettingsStore } from '../stores/settings-store.ts';
import type { SlackPort } from './slack-port.ts';

/** Who may do more than work their own leads. */
export interface Roles {
  /** Managers and admins may reassign, release, follow up or close any lead. */
  isManager(userId: string): Promise<boolean>;
  /** Admins set the rules. */
  isAdmin(userId: string): Promise<boolean>;
}

export interface RolePolicy {
  /** ADMIN_USER_IDS and MANAGER_USER_IDS. */
  readonly adminUserIds: readonly string[];
  readonly managerUserIds: readonly string[];
  /** Slack's workspace admins and owners are admins of the bot too. */
  readonly allowWorkspaceAdmins: boolean;
}

/**
 * Admins: the configured ones, those added with `/leads admins`, and (when allowed) Slack's workspace
 * admins. Managers: the configured ones, and every admin.
 */
export function createRoles(
  policy: RolePolicy,
  deps: { readonly settings: SettingsStore; readonly slack: Pick<SlackPort, 'userProfile'> },
): Roles {
  const isAdmin = async (userId: string) =>
    policy.adminUserIds.includes(userId) ||
    ((await deps.settings.get()).admins ?? []).includes(userId) ||
    (policy.allowWorkspaceAdmins && (await deps.slack.userProfile(userId)).isWorkspaceAdmin);
  return {
    isAdmin,
    isManager: async (userId) => policy.managerUserIds.includes(userId) || (await isAdmin(userId)),
  };
}
