import type { HomeContent } from '../../domain/team-views.ts';
import { SLACK_LIMITS } from './limits.ts';
import { figuresBlocks, leadListBlocks } from './team-views.ts';
import type { Block, HomeView } from './types.ts';

/** The App Home tab: my open leads; for managers also the team's overdue list and figures. */
export function renderHome(content: HomeContent): HomeView {
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Marketplace leads' } },
    ...leadListBlocks(
      'Your open leads',
      content.mine,
      content.now,
      'You own no open leads.',
      '/leads mine 2',
    ),
  ];
  if (content.team) {
    blocks.push(
      { type: 'divider' },
      ...leadListBlocks(
        'Overdue follow-ups (team)',
        content.team.overdue,
        content.now,
        'Nothing is overdue. 🎉',
        '/leads overdue 2',
      ),
      { type: 'divider' },
      ...figuresBlocks(content.team.figures, content.team.days),
    );
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: 'Refreshed when you open this tab. `/leads help` lists every command.' },
    ],
  });
  // The lists are paged to fit; this is the guard that Slack's limit can never be passed.
  return { type: 'home', blocks: blocks.slice(0, SLACK_LIMITS.blocksPerView) };
}
