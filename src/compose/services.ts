import type { Config } from '../config.ts';
import { crmKeyOf } from '../domain/crm-lead.ts';
import type { Lead, LeadId } from '../domain/lead.ts';
import { routeLead } from '../domain/routing.ts';
import { resolvePolicy } from '../domain/sla-policy.ts';
import type { Logger } from '../logger.ts';
import { previewAvailability, rotationAvailability } from '../services/assign-from-rotation.ts';
import type { OwnershipDeps } from '../services/change-owner.ts';
import type { CrmPort } from '../services/crm-port.ts';
import { createHomeRefresher, type HomeDeps } from '../services/home.ts';
import { createRoles } from '../services/roles.ts';
import type { SlackPort } from '../services/slack-port.ts';
import type { CommandDeps } from '../slack/commands/leads-commands.ts';
import { staleMinutesIn } from '../stores/settings-store.ts';
import type { Stores } from './storage.ts';

/** What the services share: stores, the Slack port, the clock and the settings read from both. */
export function composeServices(
  config: Config,
  stores: Stores,
  slack: SlackPort,
  clock: () => Date,
  log: Logger,
  options: { readonly refreshesHome: boolean; readonly crm: CrmPort | null },
) {
  const { crm } = options;
  const { conversations, leadTable, settings, rules } = stores;
  const roles = createRoles(config, { settings, slack });
  const escalationChannel = async () => (await settings.get()).escalationChannel ?? config.managersChannel;
  const slaPolicyFor = async (channel: string | null) =>
    resolvePolicy(config.sla, await settings.get(), channel);
  const availability = () => rotationAvailability({ slack, awayStatuses: config.awayStatuses });
  // The ownership history gives the managers' figures their speed tiers (first claims) and fairness.
  const home: HomeDeps = {
    conversations,
    leadTable,
    slack,
    clock,
    roles,
    settings,
    ownershipLog: stores.ownershipLog,
  };
  // Only in Slack: local mode has no App Home to refresh.
  const homeRefresher = options.refreshesHome
    ? createHomeRefresher(home, log.child({ component: 'home' }))
    : null;
  const ownership: OwnershipDeps = {
    conversations,
    due: stores.due,
    slaPolicyFor,
    staleMinutesFor: async (channel) => staleMinutesIn(await settings.get(), channel),
    ownershipLog: stores.ownershipLog,
    roles,
    leadTable,
    slack,
    clock,
    log: log.child({ component: 'ownership' }),
    ...(homeRefresher ? { afterChange: homeRefresher } : {}),
    ...(crm === null
      ? {}
      : {
          crmChanges: stores.crmOutbox,
          crmCard: async (rootLeadId: LeadId) => {
            const key = crmKeyOf(rootLeadId);
            const [written, lookup] = await Promise.all([
              stores.crmOutbox.writtenOf(key),
              stores.crmLookups.lookupOf(key),
            ]);
            return { crmName: crm.name, lookup, record: written && { url: written.url } };
          },
        }),
  };
  // What assignment by rotation needs besides the ownership services.
  const assignment = {
    rules,
    capacity: stores.capacity,
    deliveries: stores.deliveries,
    escalationChannel,
    unclaimedMinutes: async () => (await slaPolicyFor(null)).claimMinutes,
    routeToCrmOwner: async () => crm !== null && (await settings.get()).routeToCrmOwner === true,
  };
  const commands: CommandDeps = {
    conversations,
    leadTable,
    slack,
    rules,
    settings,
    roles,
    auditLog: stores.auditLog,
    clock,
    defaults: {
      sla: config.sla,
      leadsChannel: config.leadsChannel,
      managersChannel: config.managersChannel,
      adminUserIds: config.adminUserIds,
    },
    pending: stores.pending,
    ...(crm === null ? {} : { crm: { name: crm.name, outbox: stores.crmOutbox } }),
    leadRecords: stores.leadRecords,
    unavailable: (rotation, now) => previewAvailability(availability(), { conversations })(rotation, now),
    ownershipLog: stores.ownershipLog,
    log: log.child({ component: 'commands' }),
  };
  /**
   * Rules, settings and reps' Slack statuses read once a poll (or sweep), not once a lead (a 1,000-lead
   * backlog would read each thousands of times); a change made during a poll applies from the next one.
   */
  const routingSnapshot = async () => {
    const [routingRules, adminSettings] = await Promise.all([rules.routingRules(), settings.get()]);
    return {
      availability: availability(),
      channelFor: async (lead: Lead) => routeLead(routingRules, lead, config.leadsChannel).channel,
      slaPolicyFor: async (channel: string | null) => resolvePolicy(config.sla, adminSettings, channel),
    };
  };
  return {
    roles,
    escalationChannel,
    availability,
    home,
    ownership,
    assignment,
    commands,
    routingSnapshot,
    /** Waits for the App Home refreshes in progress (before the stores close). */
    homeRefreshes: async () => homeRefresher?.settled(),
  };
}

export type Services = ReturnType<typeof composeServices>;
