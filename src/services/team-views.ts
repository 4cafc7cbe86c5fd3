import { subDays } from 'date-fns/subDays';
import { type Conversation, isAwaitingFollowUp, summarizeConversation } from '../domain/conversation.ts';
import { offerOfConversationKey } from '../domain/lead.ts';
import {
  pipelineFigures,
  rotationFairness,
  speedShares,
  type TeamFigures,
  teamFigures,
} from '../domain/stats.ts';
import type { LeadListItem, LeadListPage } from '../domain/team-views.ts';
import type { ConversationStore } from '../stores/conversation-store.ts';
import type { LeadTable } from '../stores/lead-table.ts';
import type { OwnershipLog } from '../stores/ownership-log.ts';
import { type SettingsStore, staleMinutesIn } from '../stores/settings-store.ts';
import { rootLeadOf } from './conversation-message.ts';
import type { Roles } from './roles.ts';
import type { SlackPort } from './slack-port.ts';

export interface TeamViewDeps {
  readonly conversations: ConversationStore;
  readonly leadTable: LeadTable;
  readonly slack: SlackPort;
  readonly clock: () => Date;
  /** Read for the rotation's fairness figures; absent: they are left out. */
  readonly ownershipLog?: OwnershipLog;
  /** Read for the stale time of each channel; absent: no lead counts as stale. */
  readonly settings?: SettingsStore;
}

export const PAGE_SIZE = 20;

/**
 * Whose eyes a list is for. Managers and admins see every team's leads; anyone else only the leads of
 * channels they are a member of, so a lead routed to a private channel is never shown to someone who
 * cannot open that channel (name, company, owner, link).
 */
export type Audience =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'member'; readonly channels: ReadonlySet<string> };

export const EVERY_TEAM: Audience = { kind: 'everyone' };

export async function audienceOf(
  userId: string,
  deps: { readonly roles: Roles; readonly slack: Pick<SlackPort, 'memberChannels'> },
): Promise<Audience> {
  if (await deps.roles.isManager(userId)) return EVERY_TEAM;
  return { kind: 'member', channels: await deps.slack.memberChannels(userId) };
}

/** Whether the audience may see this conversation: a lead not yet posted anywhere is nobody's but managers'. */
const visibleTo = (audience: Audience) => (conversation: Conversation) =>
  audience.kind === 'everyone' ||
  (conversation.channel !== null && audience.channels.has(conversation.channel));

/** What a lead waits for: its first follow-up (the SLA), else the next step its owner planned. */
function dueOf(conversation: Conversation): Pick<LeadListItem, 'dueAt' | 'due'> {
  if (isAwaitingFollowUp(conversation) && conversation.sla)
    return { dueAt: conversation.sla.remindAt, due: 'followUp' };
  if (conversation.nextStepDueAt) return { dueAt: conversation.nextStepDueAt, due: 'nextStep' };
  return { dueAt: null };
}

async function itemOf(conversation: Conversation, deps: TeamViewDeps): Promise<LeadListItem> {
  const root = await rootLeadOf(conversation, deps.leadTable);
  return {
    ...summarizeConversation(conversation, root),
    owner: conversation.owner?.userId ?? null,
    arrivedAt: conversation.stages[0]?.at ?? new Date(0),
    ...dueOf(conversation),
    permalink:
      conversation.channel && conversation.ts
        ? await deps.slack.linkTo(conversation.channel, conversation.ts)
        : null,
  };
}

/** One page of a sorted list; only the page's leads are read back from Microsoft's table. */
async function pageOf(
  conversations: readonly Conversation[],
  page: number,
  deps: TeamViewDeps,
  pageSize = PAGE_SIZE,
): Promise<LeadListPage> {
  const pages = Math.max(1, Math.ceil(conversations.length / pageSize));
  const current = Math.min(Math.max(1, page), pages);
  const slice = conversations.slice((current - 1) * pageSize, current * pageSize);
  return {
    items: await Promise.all(slice.map((c) => itemOf(c, deps))),
    page: current,
    pages,
    total: conversations.length,
  };
}

const dueTime = (conversation: Conversation) => dueOf(conversation).dueAt?.getTime() ?? Infinity;
const byDue = (a: Conversation, b: Conversation) => dueTime(a) - dueTime(b);

/** A rep's open leads: the ones awaiting a follow-up first (soonest due), then the rest. */
export async function myOpenLeads(
  userId: string,
  page: number,
  deps: TeamViewDeps,
  pageSize?: number,
): Promise<LeadListPage> {
  const owned = (await deps.conversations.listOwnedBy(userId)).filter(
    (c) => c.closed === null && c.owner?.userId === userId,
  );
  const awaiting = owned.filter(isAwaitingFollowUp).sort(byDue);
  const others = owned
    .filter((c) => !isAwaitingFollowUp(c))
    .sort((a, b) => (b.stages.at(-1)?.at.getTime() ?? 0) - (a.stages.at(-1)?.at.getTime() ?? 0));
  return pageOf([...awaiting, ...others], page, deps, pageSize);
}

/** Active leads past their follow-up deadline, and owned leads past their next step, most overdue first. */
export async function overdueLeads(
  page: number,
  deps: TeamViewDeps,
  audience: Audience,
  pageSize?: number,
): Promise<LeadListPage> {
  const now = deps.clock();
  const overdue = (await deps.conversations.listOverdue(now)).filter(visibleTo(audience)).filter((c) => {
    const { dueAt } = dueOf(c);
    return c.closed === null && dueAt !== null && dueAt < now;
  });
  return pageOf(overdue.sort(byDue), page, deps, pageSize);
}

/**
 * The team's figures over the last `days` days, of the leads the audience may see. The rotation's
 * fairness figures count only assignments of those leads.
 */
export async function figuresFor(days: number, deps: TeamViewDeps, audience: Audience): Promise<TeamFigures> {
  const now = deps.clock();
  const since = subDays(now, days);
  const conversations = (await deps.conversations.listOpenedSince(since)).filter(visibleTo(audience));
  const facts = conversations.map((c) => ({
    ...c,
    owner: c.owner?.userId ?? null,
    ownerSince: c.owner?.since ?? null,
    offer: offerOfConversationKey(c.key),
  }));
  const figures = teamFigures(facts, since, now);
  const settings = await deps.settings?.get();
  const pipeline = pipelineFigures(facts, now, (channel) =>
    settings ? staleMinutesIn(settings, channel) : null,
  );
  if (deps.ownershipLog === undefined) return { ...figures, pipeline };
  const visible = new Set(conversations.map((c) => c.id));
  const events = (await deps.ownershipLog.listSince(since)).filter(
    (event) => audience.kind === 'everyone' || visible.has(event.conversationId),
  );
  // When each conversation was first owned: its earliest claim or assignment in the history.
  const firstOwned = new Map<string, Date>();
  for (const event of events) {
    const known = firstOwned.get(event.conversationId);
    if (event.to !== null && (known === undefined || event.at < known))
      firstOwned.set(event.conversationId, event.at);
  }
  const shares = speedShares(
    // A conversation owned before the history was kept has no event: its owner's since stands in.
    facts.map((fact) => ({ ...fact, firstOwnedAt: firstOwned.get(fact.id) ?? fact.ownerSince })),
    now,
  );
  return { ...figures, pipeline, fairness: rotationFairness(events), speedShares: shares };
}
