import type { RulesStore } from '../stores/rules-store.ts';
import type { SettingsStore } from '../stores/settings-store.ts';
import type { SlackPort } from './slack-port.ts';

export interface ChannelMembershipDeps {
  readonly rules: Pick<RulesStore, 'routingRules'>;
  readonly settings: SettingsStore;
  readonly slack: Pick<SlackPort, 'isBotInChannel'>;
  readonly leadsChannel: string;
  readonly managersChannel: string | null;
}

/**
 * The channels leads or escalations go to that the bot is not a member of. Slack takes posts to a
 * public channel anyway (chat:write.public), but the bot reads a channel's history to find a message
 * after a crash, and hears thread replies, only where it is a member: an admin should invite it.
 */
export async function channelsWithoutBot(deps: ChannelMembershipDeps): Promise<readonly string[]> {
  const settings = await deps.settings.get();
  const routed = new Set([
    deps.leadsChannel,
    ...(await deps.rules.routingRules()).map((rule) => rule.channel),
    ...[settings.escalationChannel ?? deps.managersChannel].filter((c): c is string => c != null),
  ]);
  const missing: string[] = [];
  for (const channel of routed) if (!(await deps.slack.isBotInChannel(channel))) missing.push(channel);
  return missing;
}
