import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot.ts';
import type { PlaygroundUser } from '../../src/playground/local-slack.ts';
import { insertLeads, JANE, leadColumns } from '../fixtures/lead-rows.ts';
import { createLocalBot, leadTableClient, uniqueTables } from '../support/test-bot.ts';

// The playground page in Debian's headless Chromium (driven by playwright-core, no browser download):
// the tour a newcomer takes, through the bot's real receiver and listeners.
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium)
  process.stderr.write(
    `Skipping the playground browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium).\n`,
  );

let bot: Bot;
let browser: Browser;
let page: Page;
let url: string;
const tables = uniqueTables();

beforeAll(async () => {
  if (!haveChromium) return;
  bot = await createLocalBot(tables);
  const { port } = await bot.start();
  url = `http://127.0.0.1:${port}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bot?.stop();
});

const messagesText = () => page.locator('#messages').innerText();
const actAs = (user: string) => page.selectOption('#as', user);
const openChannel = (name: string) => page.locator('nav button.channel', { hasText: name }).click();
const command = async (text: string) => {
  await page.fill('#command input', text);
  await page.press('#command input', 'Enter');
};

describe.skipIf(!haveChromium)('the playground page', () => {
  it('walks the tour: a lead, a claim, a reminder after 24 h, a follow-up in the modal, commands by role', async () => {
    try {
      await page.goto(url);
      await actAs('U0PLAYREP1');
      await insertLeads(leadTableClient(tables), [
        leadColumns({ CustomerInfo: JSON.stringify({ ...JANE, Company: '<!here> *Corp*' }) }),
      ]);
      await bot.jobs.poll();
      // The lead appears live, its hostile company shown literally.
      await page.getByText('Test Drive started: Jane Doe · <!here> *Corp*').waitFor();

      await page.getByRole('button', { name: 'Claim' }).click();
      await page
        .locator('.message', { hasText: 'Test Drive started' })
        .getByText('Owned by @Alex (rep)')
        .waitFor();
      // The owner is a mention shown by name, inside the bold text, as Slack shows it.
      expect(await page.locator('.message b .mention', { hasText: '@Alex (rep)' }).count()).toBe(1);

      // 24 hours later the follow-up is overdue: the reminder is in Alex's direct messages.
      await page.getByRole('button', { name: 'Skip 24 hours' }).click();
      await openChannel('leadbot (DM)');
      const reminder = page.locator('#messages .message', { hasText: 'Follow-up due' });
      await reminder.waitFor();
      expect(await reminder.innerText()).toContain('has no follow-up logged yet');
      // The customer's stars stay literal inside the bot's bold text.
      const bold = await reminder.locator('b').first().innerText();
      expect(bold.replaceAll('\u200B', '')).toBe('Jane Doe · <!here> *Corp*');

      await page.locator('#messages').getByRole('button', { name: 'Log follow-up' }).first().click();
      await page.locator('#modal.open').waitFor();
      await page.locator('#modal textarea').fill('Called: <@U0PLAYREP2> *demo* booked');
      await page.locator('#modal-submit').click();
      await page
        .locator('#modal.open')
        .waitFor({ state: 'detached' })
        .catch(() => undefined);
      await page.locator('#modal:not(.open)').waitFor({ state: 'attached' });
      await openChannel('#local-leads');
      await page.getByText('Called: <@U0PLAYREP2> *demo* booked').waitFor();
      expect(await messagesText()).toContain('@Alex (rep) logged a call.');
      expect(await messagesText()).toContain('Stage: Contacted');
      // `PLAYGROUND_SCREENSHOT=docs/playground.png` refreshes the README's picture of this moment.
      if (process.env.PLAYGROUND_SCREENSHOT)
        await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT });

      // A manager sees the team's overdue work; a rep may not read the rules; an admin may.
      await actAs('U0PLAYMGR1');
      await command('/leads overdue');
      await page.locator('.message.private', { hasText: 'Overdue follow-ups' }).waitFor();
      await actAs('U0PLAYREP1');
      await command('/leads rules');
      await page.locator('.message.private', { hasText: '/leads rules is for admins only' }).waitFor();
      // Only the rep who asked sees the refusal; the manager's answer is the manager's.
      expect(await messagesText()).not.toContain('Overdue follow-ups');
      await actAs('U0PLAYADM1');
      await command('/leads rules');
      await page.locator('.message.private', { hasText: 'Routing' }).first().waitFor();

      // App Home, published by the bot when its tab is opened; a status and time zone set on the page.
      await actAs('U0PLAYREP1');
      await page.locator('#home-tab').click();
      await page.locator('#messages .home .block').first().waitFor();
      expect(await messagesText()).toContain('Jane Doe');
      await page.fill('#status', ':palm_tree: Vacation');
      await page.locator('#status').blur();
      await page.selectOption('#tz', 'Asia/Tokyo');
      const alex = async () =>
        ((await (await fetch(`${url}playground/state`)).json()) as { users: PlaygroundUser[] }).users[0];
      await expect
        .poll(alex)
        .toMatchObject({ statusEmoji: ':palm_tree:', statusText: 'Vacation', timeZone: 'Asia/Tokyo' });
    } catch (error) {
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/playground-tour-failure.png', fullPage: true });
      throw error;
    }
  }, 90_000);

  it("counts the owner's reply in the lead's thread as a follow-up, through a message event", async () => {
    await actAs('U0PLAYREP2');
    await openChannel('#local-leads');
    await insertLeads(leadTableClient(tables), [
      leadColumns({
        CustomerInfo: JSON.stringify({ ...JANE, Email: 'sam.lead@contoso.example', Company: 'Tailspin' }),
      }),
    ]);
    await bot.jobs.poll();
    const card = page.locator('#messages > .message', { hasText: 'Tailspin' });
    await card.getByRole('button', { name: 'Claim' }).click();
    await card.getByText('Owned by @Sam (rep)').waitFor();
    await card.locator('form.reply input').fill('Called: they want a demo on Friday');
    await card.locator('form.reply input').press('Enter');
    await card.getByText('Called: they want a demo on Friday').waitFor();
    await card.getByText('Followed up by @Sam (rep)').waitFor();
  }, 60_000);
});
