import { stageName } from '../../domain/explain.ts';
import type { LeadAction } from '../../domain/lead-source.ts';
import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import type { SkipReason } from '../../domain/rotation.ts';
import { formatDuration } from '../../domain/sla.ts';
import {
  type Conversion,
  type PipelineFigures,
  RESPONSE_BANDS,
  type RepFairness,
  SPEED_TIERS,
  type SpeedShares,
  type SpeedTier,
  type TeamFigures,
  type TierShare,
  type TierShares,
} from '../../domain/stats.ts';
import type { LeadListItem, LeadListPage } from '../../domain/team-views.ts';
import { slackDate } from './lead-message.ts';
import { SLACK_LIMITS, truncate } from './limits.ts';
import type { Block, RenderedMessage } from './types.ts';

const section = (text: string): Block => ({
  type: 'section',
  text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
});

export function leadLine(item: LeadListItem, now: Date): string {
  const owner = item.owner ? `<@${item.owner}>` : '_unclaimed_';
  const what = item.due === 'nextStep' ? '📅 next step' : '';
  const due =
    item.dueAt === null
      ? ''
      : item.dueAt < now
        ? ` · 🔴 *${what ? `${what} ` : ''}${formatDuration(Math.max(1, Math.round((now.getTime() - item.dueAt.getTime()) / 60_000)))} late*`
        : ` · ${what || '⏰'} due ${slackDate(item.dueAt)}`;
  const link = item.permalink ? ` · <${item.permalink}|open>` : '';
  return `• *${literalMrkdwn(item.customer)}* — ${item.stage} · ${owner} · arrived ${slackDate(item.arrivedAt)}${due}${link}`;
}

/** A titled list of leads, one section each, with where to find the next page. */
export function leadListBlocks(
  title: string,
  list: LeadListPage,
  now: Date,
  empty: string,
  nextPage: string | null,
): Block[] {
  if (list.total === 0) return [section(`*${title}*\n${empty}`)];
  const more =
    list.pages > 1 ? ` (page ${list.page} of ${list.pages}, ${list.total} in all)` : ` (${list.total})`;
  const blocks = [section(`*${title}*${more}`), ...list.items.map((item) => section(leadLine(item, now)))];
  if (list.page < list.pages && nextPage)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Next page: \`${nextPage}\`` }] });
  return blocks;
}

export function renderLeadList(
  title: string,
  list: LeadListPage,
  now: Date,
  empty: string,
  nextPage: string | null,
): RenderedMessage {
  return { text: title, blocks: leadListBlocks(title, list, now, empty, nextPage) };
}

const minutes = (value: number | null) => (value === null ? '—' : formatDuration(Math.max(1, value)));
const rate = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)}%`);
const counts = (record: Readonly<Record<string, number>>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `${key} ${count}`)
    .join(', ') || 'none';

export function figuresBlocks(figures: TeamFigures, days: number): Block[] {
  const { speed, sla } = figures;
  const reps = figures.perRep.map(
    (rep) =>
      `• <@${rep.rep}>: ${rep.conversations} lead(s), speed to lead ${minutes(rep.speed.medianMinutes)} (median), SLA ${rate(rep.sla.rate)}`,
  );
  return [
    section(
      [
        `*Last ${days} days*: ${figures.leads} lead(s)`,
        `*Speed to lead*: median ${minutes(speed.medianMinutes)}, 90th percentile ${minutes(speed.p90Minutes)} (${speed.count} followed up)`,
        `*SLA hit rate*: ${rate(sla.rate)} (${sla.hit} in time, ${sla.missed} late, ${sla.pending} pending)`,
        `*By source*: ${counts(figures.bySource)}`,
        `*By action*: ${counts(figures.byAction)}`,
      ].join('\n'),
    ),
    ...(reps.length > 0 ? [section(`*Per rep*\n${reps.join('\n')}`)] : []),
    ...(figures.speedShares ? [section(speedSharesText(figures.speedShares))] : []),
    ...(figures.pipeline ? pipelineBlocks(figures.pipeline) : []),
    ...(figures.fairness?.length ? [section(fairnessText(figures.fairness))] : []),
  ];
}

/** "80% (8 of 10, 2 pending)": the share of decided leads that made a tier. */
function tierText(share: TierShare): string {
  const pending = share.pending > 0 ? `, ${share.pending} pending` : '';
  return `${rate(share.share)} (${share.met} of ${share.met + share.missed}${pending})`;
}

/** "5 min 80% · 1 h 60% · 24 h 90%": one group's tiers on one line. */
function tierLine(shares: TierShares): string {
  const short: Readonly<Record<SpeedTier, string>> = {
    claimed: 'claimed 5 min',
    touchedIn1h: '1 h',
    touchedIn24h: '24 h',
  };
  return SPEED_TIERS.map((tier) => `${short[tier.key]} ${rate(shares[tier.key].share)}`).join(' · ');
}

/**
 * The speed tiers: the share of leads claimed within 5 minutes and first touched within an hour and
 * a day, for the team, then the largest groups by rep and by action.
 */
function speedSharesText(shares: SpeedShares): string {
  // The largest groups first: a group's size is its leads (each is met, missed or pending in a tier).
  const size = ({ touchedIn24h: { met, missed, pending } }: TierShares) => met + missed + pending;
  const groups = (byKey: Readonly<Record<string, TierShares>>, label: (key: string) => string) =>
    Object.entries(byKey)
      .sort((a, b) => size(b[1]) - size(a[1]) || a[0].localeCompare(b[0]))
      .slice(0, TOP_GROUPS)
      .map(([key, group]) => `• ${label(key)}: ${tierLine(group)}`);
  return [
    '*Speed to lead against the tiers* (share of the leads decided so far)',
    ...SPEED_TIERS.map(
      (tier) => `• ${tier.label[0]?.toUpperCase()}${tier.label.slice(1)}: ${tierText(shares.all[tier.key])}`,
    ),
    ...(Object.keys(shares.byRep).length > 0
      ? ['*By rep*', ...groups(shares.byRep, (rep) => `<@${rep}>`)]
      : []),
    ...(Object.keys(shares.byAction).length > 0
      ? ['*By action*', ...groups(shares.byAction, (action) => stageName(action as LeadAction))]
      : []),
  ].join('\n');
}

/** Groups shown per comparison: the largest, so the section stays readable and within Slack's limits. */
const TOP_GROUPS = 8;

function conversionLines(
  groups: Readonly<Record<string, Conversion>>,
  label: (key: string) => string,
): string[] {
  const entries = Object.entries(groups)
    .sort((a, b) => b[1].leads - a[1].leads || a[0].localeCompare(b[0]))
    .slice(0, TOP_GROUPS);
  const most = Math.max(0, ...entries.map(([, c]) => c.leads));
  return entries.map(
    ([key, c]) =>
      `\`${textBar(c.leads, most)}\` ${label(key)}: ${c.leads} lead(s), ${c.won} won of ${c.closed} closed (${rate(c.wonOfClosed)}; ${rate(c.wonOfAll)} of all)`,
  );
}

function pipelineBlocks(pipeline: PipelineFigures): Block[] {
  const { conversion, firstFollowUp, timeToClose } = pipeline;
  const bandMost = Math.max(0, ...RESPONSE_BANDS.map((band) => firstFollowUp.bands[band]));
  const literal = (key: string) => literalMrkdwn(key);
  return [
    section(
      [
        `*What the leads became*: ${conversion.all.won} won of ${conversion.all.closed} closed (${rate(conversion.all.wonOfClosed)}), ${rate(conversion.all.wonOfAll)} of all ${conversion.all.leads}`,
        `*Time to close*: median ${minutes(timeToClose.medianMinutes)}, 90th percentile ${minutes(timeToClose.p90Minutes)} (${timeToClose.count} closed)`,
        `*Stale now*: ${pipeline.stale} owned lead(s) with no activity for their stale time`,
      ].join('\n'),
    ),
    section(
      [
        `*Time to first follow-up*: median ${minutes(firstFollowUp.medianMinutes)}, 90th percentile ${minutes(firstFollowUp.p90Minutes)}`,
        ...RESPONSE_BANDS.map(
          (band) =>
            `\`${textBar(firstFollowUp.bands[band], bandMost)}\` ${band}: ${firstFollowUp.bands[band]}`,
        ),
      ].join('\n'),
    ),
    section(['*Conversion by source*', ...conversionLines(conversion.bySource, literal)].join('\n')),
    section(['*Conversion by action*', ...conversionLines(conversion.byAction, literal)].join('\n')),
    section(['*Conversion by offer*', ...conversionLines(conversion.byOffer, literal)].join('\n')),
    section(
      [
        '*Conversion by rep*',
        ...conversionLines(conversion.byRep, (rep) => (rep === 'unassigned' ? '_unassigned_' : `<@${rep}>`)),
      ].join('\n'),
    ),
  ];
}

const SKIP_WORDS: Record<SkipReason['kind'], string> = {
  paused: 'paused',
  away: 'away',
  status: 'Slack status',
  deactivated: 'deactivated',
  full: 'at cap',
  passed: 'had it before',
};

/** A text bar of `value` out of `max`, ten blocks wide: managers compare reps at a glance. */
export function textBar(value: number, max: number): string {
  const width = max === 0 ? 0 : Math.round((value / max) * 10);
  return `${'█'.repeat(width)}${'░'.repeat(10 - width)}`;
}

function fairnessText(fairness: readonly RepFairness[]): string {
  const most = Math.max(...fairness.map((rep) => rep.assigned));
  const lines = fairness.map((rep) => {
    const skips = Object.entries(rep.skipped) as Array<[SkipReason['kind'], number]>;
    const skipped = skips.reduce((sum, [, count]) => sum + count, 0);
    const why = skips.map(([kind, count]) => `${SKIP_WORDS[kind]} ${count}`).join(', ');
    return `\`${textBar(rep.assigned, most)}\` <@${rep.rep}>: ${rep.assigned} assigned, ${rep.accepted} accepted, ${rep.passedOn} passed on, ${skipped} skipped${why ? ` (${why})` : ''}`;
  });
  return `*Rotation fairness*\n${lines.join('\n')}`;
}

export function renderFigures(figures: TeamFigures, days: number): RenderedMessage {
  return { text: `Lead figures for the last ${days} days`, blocks: figuresBlocks(figures, days) };
}
