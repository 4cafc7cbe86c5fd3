import { formatDuration } from '../../domain/sla.ts';
import type { TeamFigures } from '../../domain/stats.ts';
import type { DigestContent } from '../../domain/team-views.ts';
import { figuresBlocks, leadListBlocks } from './team-views.ts';
import type { Block, RenderedMessage } from './types.ts';

const counts = (record: Readonly<Record<string, number>>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => `${key} ${count}`)
    .join(', ') || 'none';

export function renderDigest(content: DigestContent): RenderedMessage {
  const { yesterday, week } = content;
  const speed =
    week.speed.medianMinutes === null ? '—' : formatDuration(Math.max(1, week.speed.medianMinutes));
  const summary = [
    `*New leads on ${content.day}*: ${yesterday.leads} (by source: ${counts(yesterday.bySource)}; by action: ${counts(yesterday.byAction)})`,
    `*Unclaimed*: ${content.unclaimed} · *Overdue follow-ups*: ${content.overdue.total}`,
    `*Speed to lead, last 7 days*: median ${speed} (${week.speed.count} followed up)`,
    ...(week.pipeline
      ? [
          `*Last 7 days' leads*: ${week.pipeline.conversion.all.won} won of ${week.pipeline.conversion.all.closed} closed · ${week.pipeline.stale} stale now (\`/leads stats\` for the breakdown)`,
        ]
      : []),
  ].join('\n');
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: '📊 Daily lead digest' } },
    { type: 'section', text: { type: 'mrkdwn', text: summary } },
    ...(content.overdue.total > 0
      ? leadListBlocks('Overdue follow-ups', content.overdue, content.now, '', '/leads overdue 2')
      : []),
  ];
  return {
    text: `Daily lead digest: ${yesterday.leads} new, ${content.unclaimed} unclaimed, ${content.overdue.total} overdue`,
    blocks,
  };
}

/** The weekly summary to the managers: the week's figures, what the leads became, fairness. */
export function renderWeeklySummary(figures: TeamFigures): RenderedMessage {
  return {
    text: `Weekly lead summary: ${figures.leads} lead(s) in the last 7 days`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '📈 Weekly lead summary' } },
      ...figuresBlocks(figures, 7),
    ],
  };
}
