import { addHours } from 'date-fns/addHours';
import { subHours } from 'date-fns/subHours';
import { describe, expect, inject, it, vi } from 'vitest';
import { SLACK_LIMITS } from '../../src/slack/blocks/limits.ts';
import { createAzureConversationStore } from '../../src/stores/azure/azure-conversation-store.ts';
import { createTableClient } from '../../src/stores/azure/tables.ts';
import { postEvent } from '../support/slack-requests.ts';
import { SIGNING_SECRET, useStartedBot } from '../support/test-bot.ts';

const MANAGER = 'U0MANAGER';
const ctx = useStartedBot({ MANAGER_USER_IDS: MANAGER });

/** Open, owned, overdue conversations, written straight to the store (the pipeline is tested elsewhere). */
async function seedOpenLeads(count: number, owner: string) {
  const store = createAzureConversationStore(
    createTableClient(inject('azureConnectionString'), `${ctx.tables.statePrefix}Conversations`),
  );
  const arrived = subHours(new Date(), 30);
  for (let start = 0; start < count; start += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - start) }, async (_, offset) => {
        const i = start + offset;
        const stage = {
          leadId: { partitionKey: 'p', rowKey: `r${i}` },
          action: 'Create' as const,
          channel: 'AzurePortal' as const,
          at: arrived,
        };
        const { conversation } = await store.open(`customer${i}@x.example\noffer`, stage);
        await store.setOwner(conversation.id, null, owner, arrived, true);
        await store.startSla(conversation.id, {
          action: 'Create',
          minutes: 24 * 60,
          startedAt: arrived,
          remindAt: addHours(arrived, 24),
          escalateAt: addHours(arrived, 48),
        });
      }),
    );
  }
}

async function openHome(user: string) {
  const response = await postEvent(ctx.port, SIGNING_SECRET, {
    type: 'app_home_opened',
    user,
    channel: 'D0001',
    tab: 'home',
    event_ts: '1.1',
  });
  expect(response.status).toBe(200);
  await vi.waitFor(() => expect(ctx.slack.callsTo('views.publish')).toHaveLength(1), { timeout: 15_000 });
  const call = ctx.slack.callsTo('views.publish')[0];
  return {
    user: call?.args.user_id,
    view: call?.args.view as { type: string; blocks: Array<{ type: string; text?: { text: string } }> },
  };
}

describe('App Home', () => {
  it('stays within Slack’s 100 blocks for a manager with 500 open, overdue leads', async () => {
    await seedOpenLeads(500, MANAGER);
    const { user, view } = await openHome(MANAGER);
    expect(user).toBe(MANAGER);
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerView);
    const texts = view.blocks.map((block) => block.text?.text ?? '');
    expect(texts).toContain('*Your open leads* (page 1 of 20, 500 in all)');
    expect(texts).toContain('*Overdue follow-ups (team)* (page 1 of 20, 500 in all)');
    expect(texts.some((text) => text.startsWith('*Last 7 days*: 500 lead(s)'))).toBe(true);
    // The speed tiers, for the team of a manager (the leads were seeded owned, never followed up).
    expect(texts.find((text) => text.startsWith('*Speed to lead against the tiers*'))).toContain(
      '• First touch within 1 h: 0% (0 of 500)',
    );
  }, 60_000);

  it('shows a rep only their own leads, not the team’s', async () => {
    await seedOpenLeads(2, 'U0REP');
    const { view } = await openHome('U0REP');
    const texts = view.blocks.map((block) => block.text?.text ?? '');
    expect(texts).toContain('*Your open leads* (2)');
    expect(texts.some((text) => text.includes('Overdue follow-ups (team)'))).toBe(false);
  });
});
