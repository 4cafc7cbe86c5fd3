import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import { PUSHES_PER_CUSTOMER_PER_HOUR } from '../../src/domain/inbound-lead.ts';
import { MICROSOFT_EXAMPLE, MICROSOFT_TEST_LEAD } from '../fixtures/inbound-leads.ts';
import { insertLeads, leadColumns } from '../fixtures/lead-rows.ts';
import { textObjectsOf } from '../support/block-texts.ts';
import { createFakeSlack, type FakeSlack } from '../support/fake-slack.ts';
import { createTestBot, leadTableClient, type TestTables, uniqueTables } from '../support/test-bot.ts';

const TOKEN = 'in-test-0123456789abcdef0123456789';
let slack: FakeSlack;
let tables: TestTables;
let bot: Bot & { log: { lines: Array<{ message: string; fields: Record<string, unknown> }> } };
let port: number;

beforeEach(async () => {
  slack = await createFakeSlack();
  tables = uniqueTables();
  bot = await createTestBot({ slack, tables, env: { INBOUND_LEADS_TOKEN: TOKEN } });
  ({ port } = await bot.start());
  await bot.jobs.poll(); // the first start, so what follows is only the pushed leads
});

afterEach(async () => {
  await bot.stop();
  await slack.close();
});

const push = (body: string, token = TOKEN, contentType = 'application/json') =>
  fetch(`http://127.0.0.1:${port}/leads/inbound/${token}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });

const leadPosts = () => slack.messages.filter((m) => m.metadata !== undefined);

async function storedRows(): Promise<number> {
  let count = 0;
  try {
    for await (const _ of leadTableClient(tables).listEntities()) count += 1;
  } catch {
    return 0; // no table: nothing was ever written
  }
  return count;
}

describe('POST /leads/inbound/<token> (Microsoft’s HTTPS destination)', () => {
  it('stores Microsoft’s example lead, answers 201, and the nudged poller posts it at once', async () => {
    const response = await push(JSON.stringify(MICROSOFT_EXAMPLE));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      stored: expect.stringMatching(/^\d+:2F\d+:2F\d{4}\/push-[0-9a-f]{40}$/),
    });
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(1));
    const header = ((leadPosts()[0]?.blocks ?? []) as Array<{ type: string; text?: { text: string } }>)[0]
      ?.text?.text;
    expect(header).toBe('📦 Get it now: Some One · Contoso');
    expect(await storedRows()).toBe(1);
  });

  it('accepts Microsoft’s test lead and shows it as a connection check', async () => {
    expect((await push(JSON.stringify(MICROSOFT_TEST_LEAD))).status).toBe(201);
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(1));
    expect(leadPosts()[0]?.text).toBe('Microsoft test lead received: your lead destination works');
  });

  it('refuses a wrong token with 401, writes nothing, and never logs the token tried', async () => {
    const tried = 'wrong-token-that-is-long-enough-0000';
    const response = await push(JSON.stringify(MICROSOFT_EXAMPLE), tried);
    expect(response.status).toBe(401);
    expect(await storedRows()).toBe(0);
    expect(bot.log.lines.some((line) => line.message === 'refused a pushed lead with a wrong token')).toBe(
      true,
    );
    expect(JSON.stringify(bot.log.lines)).not.toContain(tried);
    expect(JSON.stringify(bot.log.lines)).not.toContain(TOKEN);
  });

  it.each([
    ['not JSON', '{"UserDetails": ', 400, 'the body is not valid JSON'],
    [
      'a body naming no customer and no offer',
      JSON.stringify({ LeadSource: 'AzureMarketplace', ActionCode: 'INS' }),
      400,
      'the body names neither a customer (UserDetails) nor an offer (OfferTitle)',
    ],
    [
      'a body over 1 MB',
      JSON.stringify({ ...MICROSOFT_EXAMPLE, Description: 'x'.repeat(1_100_000) }),
      413,
      'the body is larger than 1048576 bytes',
    ],
  ])('refuses %s with a reason and writes nothing', async (_, body, status, error) => {
    const response = await push(body);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error });
    expect(await storedRows()).toBe(0);
  });

  it('stores and posts Microsoft’s older example without ActionCode, saying what was missing', async () => {
    const older = {
      OfferTitle: 'Contoso',
      LeadSource: 'SPZA-PLT|contoso.x',
      UserDetails: { Email: 'a@b.example' },
    };
    expect((await push(JSON.stringify(older))).status).toBe(201);
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(1));
    const context = (
      (leadPosts()[0]?.blocks ?? []) as Array<{ type: string; elements?: Array<{ text: string }> }>
    ).find((block) => block.type === 'context' && block.elements?.[0]?.text.startsWith('⚠️'));
    expect(context?.elements?.[0]?.text).toContain(
      'ActionCode was missing: the action was read from LeadSource',
    );
  });

  it('stores a 40,000-character Description cut to fit, instead of answering 503 for ever', async () => {
    const response = await push(JSON.stringify({ ...MICROSOFT_EXAMPLE, Description: 'd'.repeat(40_000) }));
    expect(response.status).toBe(201);
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(1));
    expect(await storedRows()).toBe(1);
  });

  it('keeps one lead when the same lead is pushed twice', async () => {
    const first = await push(JSON.stringify(MICROSOFT_EXAMPLE));
    const again = await push(JSON.stringify(MICROSOFT_EXAMPLE));
    expect([first.status, again.status]).toEqual([201, 200]);
    const [stored, repeated] = [(await first.json()) as { stored: string }, await again.json()];
    expect(repeated).toEqual({ stored: stored.stored, duplicate: true });
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(1));
    expect(await storedRows()).toBe(1);
  });

  it('answers a malformed %-escape in the token with 404, not a server error', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/leads/inbound/%E0%A4%A`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(404);
    expect(bot.log.lines.some((line) => line.message === 'inbound lead handler failed')).toBe(false);
  });

  it.each(['GET', 'HEAD', 'PUT'])('never logs the token of a %s to the endpoint', async (method) => {
    await fetch(`http://127.0.0.1:${port}/leads/inbound/${TOKEN}`, { method });
    await fetch(`http://127.0.0.1:${port}/leads/inbound/${TOKEN}/extra`, { method: 'POST', body: '{}' });
    expect(JSON.stringify(bot.log.lines)).not.toContain(TOKEN);
    expect(JSON.stringify(bot.log.lines)).toContain('/leads/inbound/<redacted>');
  });

  it('is off (404) without INBOUND_LEADS_TOKEN', async () => {
    await bot.stop();
    bot = await createTestBot({ slack, tables });
    ({ port } = await bot.start());
    expect((await push(JSON.stringify(MICROSOFT_EXAMPLE))).status).toBe(404);
  });
});

describe('a flood of pushes for one customer', () => {
  it(`takes ${PUSHES_PER_CUSTOMER_PER_HOUR} an hour for one e-mail, then answers 429 with Retry-After; others still pass`, async () => {
    const body = (i: number, email = MICROSOFT_EXAMPLE.UserDetails.Email) =>
      JSON.stringify({
        ...MICROSOFT_EXAMPLE,
        UserDetails: { ...MICROSOFT_EXAMPLE.UserDetails, Email: i % 2 ? email.toUpperCase() : email },
        Description: `push ${i}`,
      });
    const answers = await Promise.all(
      Array.from({ length: PUSHES_PER_CUSTOMER_PER_HOUR + 5 }, (_, i) => push(body(i))),
    );
    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(PUSHES_PER_CUSTOMER_PER_HOUR);
    const refused = answers.filter((response) => response.status === 429);
    expect(refused).toHaveLength(5);
    for (const response of refused) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    }
    expect(await storedRows()).toBe(PUSHES_PER_CUSTOMER_PER_HOUR);
    expect((await push(body(99, 'someone.else@contoso.com'))).status).toBe(201);
  });
});

describe('the same lead by both destinations (a table row and a push)', () => {
  // Microsoft's table row for the lead of its example body: ProductId and a display name.
  const tableRow = leadColumns({
    LeadSource: 'AzureMarketplace-INS|contoso.test-microsoft',
    ActionCode: 'INS',
    CustomerInfo: JSON.stringify(MICROSOFT_EXAMPLE.UserDetails),
    OfferDisplayName: 'Test Microsoft',
    ProductId: 'contoso.test-microsoft',
    Description: MICROSOFT_EXAMPLE.Description,
  });

  it.each([
    ['the row first, then the push', ['row', 'push']],
    ['the push first, then the row', ['push', 'row']],
  ] as const)('is posted once: %s', async (_, order) => {
    for (const path of order) {
      if (path === 'push') expect((await push(JSON.stringify(MICROSOFT_EXAMPLE))).status).toBe(201);
      else await insertLeads(leadTableClient(tables), [tableRow]);
      await bot.jobs.poll();
    }
    await vi.waitFor(async () => expect(await bot.jobs.poll()).toMatchObject({ read: 2, alreadyPosted: 2 }));

    expect(leadPosts()).toHaveLength(1);
    expect(
      bot.log.lines.filter((line) =>
        line.message.startsWith('the same lead arrived by the other destination'),
      ),
    ).toHaveLength(1);
  });

  it('posts both when the customer is another, or the action another', async () => {
    await insertLeads(leadTableClient(tables), [
      { ...tableRow, ActionCode: 'Create', LeadSource: 'AzurePortal-Create|contoso.test-microsoft' },
    ]);
    await bot.jobs.poll();
    expect((await push(JSON.stringify(MICROSOFT_EXAMPLE))).status).toBe(201);
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(2));
  });

  const textsOf = (blocks: unknown) => textObjectsOf((blocks ?? []) as { type: string }[]).map((t) => t.text);

  it('never lets a pushed copy naming another company stand in for Microsoft’s row: both are shown', async () => {
    const attacker = {
      ...MICROSOFT_EXAMPLE,
      UserDetails: { ...MICROSOFT_EXAMPLE.UserDetails, Company: 'Evil Corp', Phone: '999' },
      Description: 'Not interested any more, do not call',
    };
    expect((await push(JSON.stringify(attacker))).status).toBe(201);
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(1));
    await insertLeads(leadTableClient(tables), [tableRow]);
    expect(await bot.jobs.poll()).toMatchObject({ duplicate: 0 });

    const posts = leadPosts();
    expect(posts).toHaveLength(2);
    const tableTexts = textsOf(posts[1]?.blocks).join('\n');
    expect(tableTexts).toContain('Contoso');
    expect(tableTexts).toContain(MICROSOFT_EXAMPLE.Description);
  });

  it('shows Microsoft’s row on the card when it follows a pushed copy, and notes what the copy changed', async () => {
    const altered = {
      ...MICROSOFT_EXAMPLE,
      UserDetails: { ...MICROSOFT_EXAMPLE.UserDetails, Phone: '999' },
      Description: 'Not interested any more, do not call',
    };
    expect((await push(JSON.stringify(altered))).status).toBe(201);
    await vi.waitFor(() => expect(leadPosts()).toHaveLength(1));
    await insertLeads(leadTableClient(tables), [tableRow]);
    expect(await bot.jobs.poll()).toMatchObject({ duplicate: 1, posted: 0 });

    const leadMessages = slack.messages.filter(
      (m) => m.metadata?.event_type === leadPosts()[0]?.metadata?.event_type,
    );
    expect(leadMessages).toHaveLength(1);
    const card = slack.callsTo('chat.update').at(-1)?.args;
    expect(card?.ts).toBe(leadPosts()[0]?.ts);
    const cardTexts = textsOf(card?.blocks).join('\n');
    expect(cardTexts).toContain(MICROSOFT_EXAMPLE.Description);
    expect(cardTexts).not.toContain('do not call');

    const note = slack.messages.find(
      (m) => m.thread_ts === leadPosts()[0]?.ts && m.text.includes('table row'),
    );
    expect(note?.text).toContain('Phone');
    expect(note?.text).toContain('Note');
    expect(note?.text).not.toContain('Company');
    // Shown exactly as written, never as formatting: the pushed text is quoted, not obeyed.
    expect(note?.text).toContain('do not call');

    // Polled again: neither the card nor the note changes again.
    const updates = slack.callsTo('chat.update').length;
    await bot.jobs.poll();
    expect(slack.callsTo('chat.update')).toHaveLength(updates);
    expect(slack.messages.filter((m) => m.text.includes('table row'))).toHaveLength(1);
  });
});
