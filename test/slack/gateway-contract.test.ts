import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSlack } from '../../src/playground/local-slack.ts';
import { playgroundUsers } from '../../src/playground/playground.ts';
import type { MessageMetadata, SlackGateway } from '../../src/slack/gateway.ts';
import { createWebApiGateway } from '../../src/slack/web-api-gateway.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';

// One contract, run against every SlackGateway: what the services rely on, with no per-implementation
// branch. The playground's workspace (local mode) must behave like Slack for everything the bot reads back.

interface Implementation {
  readonly name: string;
  create(): Promise<{ gateway: SlackGateway; client: WebClient; close: () => Promise<void> }>;
}

const implementations: Implementation[] = [
  {
    name: 'Web API (against the playground of local mode)',
    create: async () => {
      const slack = await createLocalSlack(playgroundUsers(), () => new Date());
      const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
      return {
        gateway: createWebApiGateway(client, { postIntervalMs: 0 }),
        client,
        close: () => slack.close(),
      };
    },
  },
  {
    name: 'Web API (against the Slack stand-in)',
    create: async () => {
      const slack: FakeSlack = await createFakeSlack();
      const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
      return {
        gateway: createWebApiGateway(client, { postIntervalMs: 0 }),
        client,
        close: () => slack.close(),
      };
    },
  },
];

const message = (text: string) => ({
  text,
  blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }],
});
const metadata = (id: string): MessageMetadata => ({ eventType: 'contract_test', payload: { id } });

describe.each(implementations)('SlackGateway contract: $name', (implementation) => {
  let gateway: SlackGateway;
  let client: WebClient;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ gateway, client, close } = await implementation.create());
  });
  /** A message as Slack keeps it now, read as a person's client reads the channel. */
  const readBack = async (channel: string, ts: string) => {
    const history = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
    const [found] = history.messages ?? [];
    return { ts: found?.ts, text: found?.text, blocks: found?.blocks };
  };
  afterAll(() => close());

  it('posts a message and answers its channel and a ts', async () => {
    const posted = await gateway.postMessage({ channel: 'C0CONTRACT', ...message('hello') });
    expect(posted.channel).toBe('C0CONTRACT');
    expect(posted.ts).toMatch(/^\d+\.\d+$/);
  });

  it('finds a top-level message by its metadata, and only that one', async () => {
    const before = new Date(Date.now() - 60_000);
    await gateway.postMessage({ channel: 'C0FIND', ...message('other'), metadata: metadata('other') });
    const posted = await gateway.postMessage({
      channel: 'C0FIND',
      ...message('mine'),
      metadata: metadata('mine'),
    });
    const query = { channel: 'C0FIND', threadTs: null, oldest: before };
    expect(await gateway.findMessageByMetadata({ ...query, metadata: metadata('mine') })).toEqual(posted);
    expect(await gateway.findMessageByMetadata({ ...query, metadata: metadata('absent') })).toBeNull();
    expect(
      await gateway.findMessageByMetadata({ ...query, channel: 'C0ELSEWHERE', metadata: metadata('mine') }),
    ).toBeNull();
  });

  it('does not search messages older than `oldest`', async () => {
    await gateway.postMessage({ channel: 'C0OLD', ...message('old'), metadata: metadata('old') });
    const later = new Date(Date.now() + 120_000);
    expect(
      await gateway.findMessageByMetadata({
        channel: 'C0OLD',
        threadTs: null,
        oldest: later,
        metadata: metadata('old'),
      }),
    ).toBeNull();
  });

  it('finds a reply by its metadata in its thread, not at the top level', async () => {
    const before = new Date(Date.now() - 60_000);
    const root = await gateway.postMessage({ channel: 'C0THREAD', ...message('root') });
    const reply = await gateway.postMessage({
      channel: 'C0THREAD',
      threadTs: root.ts,
      ...message('reply'),
      metadata: metadata('reply'),
    });
    const query = { channel: 'C0THREAD', oldest: before, metadata: metadata('reply') };
    expect(await gateway.findMessageByMetadata({ ...query, threadTs: root.ts })).toEqual(reply);
    expect(await gateway.findMessageByMetadata({ ...query, threadTs: null })).toBeNull();
  });

  it('links to a posted message', async () => {
    const posted = await gateway.postMessage({ channel: 'C0LINK', ...message('link me') });
    expect(await gateway.permalink(posted.channel, posted.ts)).toEqual(expect.any(String));
  });

  it('updates a message and reads a user profile', async () => {
    const posted = await gateway.postMessage({ channel: 'C0UPDATE', ...message('before') });
    await expect(gateway.updateMessage(posted.channel, posted.ts, message('after'))).resolves.toBeUndefined();
    // The same message, changed in place: its text and blocks are the new ones.
    expect(await readBack(posted.channel, posted.ts)).toMatchObject({
      ts: posted.ts,
      text: 'after',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'after' } }],
    });
    const profile = await gateway.userProfile('U0SOMEONE');
    expect(profile).toEqual({
      timeZone: profile.timeZone,
      isWorkspaceAdmin: false,
      status: { emoji: '', text: '' },
      deactivated: false,
      email: profile.email,
    });
    expect(profile.timeZone === null || typeof profile.timeZone === 'string').toBe(true);
    // Slack gives the e-mail with users:read.email: an address, or nothing.
    expect(profile.email === null || profile.email.includes('@')).toBe(true);
  });

  it('finds a user by the e-mail its profile gives, and nobody by an unknown one', async () => {
    // A user of both workspaces: the playground knows only its own people.
    const { email } = await gateway.userProfile('U0PLAYREP1');
    if (email === null) throw new Error('no e-mail in the profile');
    expect(await gateway.userIdByEmail(email.toUpperCase())).toBe('U0PLAYREP1');
    expect(await gateway.userIdByEmail('nobody@elsewhere.example')).toBeNull();
  });

  it('lists the channels a user is a member of, across every page', async () => {
    const channels = ['C0MEMBER1', 'C0MEMBER2', 'C0MEMBER3'];
    for (const channel of channels) await gateway.postMessage({ channel, ...message('in') });
    const member = await gateway.memberChannels('U0SOMEONE');
    for (const channel of channels) expect(member.has(channel)).toBe(true);
  });

  it('says the bot is in a channel it posts to', async () => {
    const posted = await gateway.postMessage({ channel: 'C0BOTHERE', ...message('here') });
    expect(await gateway.isBotInChannel(posted.channel)).toBe(true);
  });

  it('opens a direct-message channel the bot can post to and find its message in', async () => {
    const channel = await gateway.directMessageChannel('U0SOMEONE');
    const posted = await gateway.postMessage({ channel, ...message('dm'), metadata: metadata('dm-1') });
    expect(
      await gateway.findMessageByMetadata({
        channel: posted.channel,
        threadTs: null,
        metadata: metadata('dm-1'),
        oldest: new Date(Date.now() - 60_000),
      }),
    ).toEqual(posted);
  });

  it('publishes an App Home and opens a modal within Slack’s limits', async () => {
    const blocks = Array.from({ length: 120 }, (_, i) => ({
      type: 'section' as const,
      text: { type: 'mrkdwn' as const, text: `line ${i} ${'x'.repeat(3500)}` },
    }));
    await expect(gateway.publishHome('U0SOMEONE', { type: 'home', blocks })).resolves.toBeUndefined();
    await expect(
      gateway.openModal('trigger-1', {
        type: 'modal',
        title: { type: 'plain_text', text: 'Log a follow-up' },
        blocks,
      }),
    ).resolves.toBeUndefined();
  });
});
