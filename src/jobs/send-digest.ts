import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { startOfDay } from 'date-fns/startOfDay';
import { subDays } from 'date-fns/subDays';
import { teamFigures } from '../domain/stats.ts';
import type { Logger } from '../logger.ts';
import { EVERY_TEAM, figuresFor, overdueLeads, type TeamViewDeps } from '../services/team-views.ts';
import type { OnceStore } from '../stores/once-store.ts';

export interface DigestDeps extends TeamViewDeps {
  readonly once: OnceStore;
  /** Where the digest goes: the escalation (managers') channel, else the leads channel. */
  readonly digestChannel: () => Promise<string>;
  readonly timeZone: string;
  readonly log: Logger;
}

export type DigestSummary =
  | {
      readonly sent: true;
      readonly channel: string;
      readonly newLeads: number;
      readonly unclaimed: number;
      readonly overdue: number;
    }
  | { readonly sent: false; readonly reason: 'already sent' | 'nothing to say' };

/**
 * The daily digest for managers: yesterday's new leads by source and action, unclaimed leads, overdue
 * follow-ups and speed to lead. Sent once a day whatever the number of processes; not sent when there
 * is nothing to say.
 */
export async function sendDigest(deps: DigestDeps): Promise<DigestSummary> {
  const now = deps.clock();
  const today = startOfDay(new TZDate(now, deps.timeZone));
  const yesterday = subDays(today, 1);
  const conversations = await deps.conversations.listOpenedSince(new Date(yesterday.getTime()));
  const yesterdays = teamFigures(
    conversations.map((c) => ({
      ...c,
      owner: c.owner?.userId ?? null,
      stages: c.stages.filter((s) => s.at < today),
    })),
    new Date(yesterday.getTime()),
    now,
  );
  const unclaimed = (await deps.conversations.listUnclaimed()).filter((c) => c.closed === null).length;
  // The digest goes to the managers' channel: every team's leads.
  const overdue = await overdueLeads(1, deps, EVERY_TEAM, 10);
  if (yesterdays.leads === 0 && unclaimed === 0 && overdue.total === 0)
    return { sent: false, reason: 'nothing to say' };
  if (!(await deps.once.claim(`digest-${format(today, 'yyyy-MM-dd')}`, now)))
    return { sent: false, reason: 'already sent' };
  const channel = await deps.digestChannel();
  await deps.slack.postDigest(channel, {
    day: format(yesterday, 'EEEE d MMMM yyyy'),
    yesterday: yesterdays,
    unclaimed,
    overdue,
    week: await figuresFor(7, deps, EVERY_TEAM),
    now,
  });
  return { sent: true, channel, newLeads: yesterdays.leads, unclaimed, overdue: overdue.total };
}

export type WeeklySummaryResult =
  | { readonly sent: true; readonly channel: string; readonly week: string }
  | { readonly sent: false; readonly reason: 'already sent' | 'nothing to say' };

/**
 * The weekly summary for managers (WEEKLY_DIGEST_SCHEDULE, Monday morning by default): the last seven
 * days' figures with what the leads became, once a week (ISO week in the digest's time zone) however
 * many processes run; not sent for a week without leads.
 */
export async function sendWeeklySummary(deps: DigestDeps): Promise<WeeklySummaryResult> {
  const now = deps.clock();
  const week = format(new TZDate(now, deps.timeZone), "RRRR-'W'II");
  const figures = await figuresFor(7, deps, EVERY_TEAM);
  if (figures.leads === 0) return { sent: false, reason: 'nothing to say' };
  if (!(await deps.once.claim(`weekly-summary-${week}`, now))) return { sent: false, reason: 'already sent' };
  const channel = await deps.digestChannel();
  await deps.slack.postWeeklySummary(channel, figures);
  return { sent: true, channel, week };
}
