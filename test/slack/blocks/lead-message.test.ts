import { describe, expect, it } from 'vitest';
import { parseLeadRow } from '../../../src/domain/lead.ts';
import { literalMrkdwn } from '../../../src/domain/mrkdwn.ts';
import {
  renderFirstStartNotice,
  renderLeadMessage,
  renderTestLeadMessage,
} from '../../../src/slack/blocks/lead-message.ts';
import { SLACK_LIMITS } from '../../../src/slack/blocks/limits.ts';
import type { RenderedMessage } from '../../../src/slack/blocks/types.ts';
import { JANE, leadRow } from '../../fixtures/lead-rows.ts';
import { textObjectsOf } from '../../support/block-texts.ts';

const lead = (columns = {}) => parseLeadRow(leadRow(columns));

const plainTexts = (message: RenderedMessage) =>
  textObjectsOf(message.blocks)
    .filter((text) => text.type === 'plain_text')
    .map((text) => text.text);
const mrkdwnTexts = (message: RenderedMessage) =>
  textObjectsOf(message.blocks)
    .filter((text) => text.type === 'mrkdwn')
    .map((text) => text.text);

describe('renderLeadMessage', () => {
  it('says who the customer is, what they did, where, and what to do next', () => {
    const message = renderLeadMessage(
      lead({ LeadSource: 'SPZA-PLT|Contoso Lead Insights', ActionCode: 'PLT', Description: 'Call me' }),
    );
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: '📨 Contact me: Jane Doe · Fabrikam', emoji: false },
    });
    expect(mrkdwnTexts(message)).toContain(
      'The customer chose *Contact me* on AppSource: they asked to be contacted. This is the top of the funnel.',
    );
    expect(plainTexts(message)).toEqual(
      expect.arrayContaining([
        'Customer: Jane Doe',
        'Title: CTO',
        'Company: Fabrikam',
        'Email: jane.doe@fabrikam.example',
        'Phone: 4255550100',
        'Country: USA',
        'Offer: Contoso Lead Insights',
        'Note from the customer: Call me',
      ]),
    );
    expect(mrkdwnTexts(message).find((text) => text.startsWith('*Next step:*'))).toBe(
      '*Next step:* Claim the lead and reply: they asked to hear from you. Read their note first and answer it personally.',
    );
    expect(message.text).toBe('Contact me: Jane Doe · Fabrikam for Contoso Lead Insights');
  });

  it.each([
    [24 * 60, null, ' Follow up within 24 hours: this lead’s SLA.'],
    [4 * 60, null, ' Follow up within 4 hours: this lead’s SLA.'],
    [90, null, ' Follow up within 1 hour 30 minutes: this lead’s SLA.'],
    [2 * 24 * 60, null, ' Follow up within 2 days: this lead’s SLA.'],
    [60, 5, ' Claim within 5 minutes; follow up within 1 hour: this lead’s SLA.'],
    [60, 30, ' Claim within 30 minutes; follow up within 1 hour: this lead’s SLA.'],
    [null, 5, ''],
    [null, null, ''],
  ])(
    'states the tiers in force (SLA %s minutes, claim %s), never fixed ones',
    (slaMinutes, claimMinutes, tiers) => {
      const message = renderLeadMessage(lead({ LeadSource: 'SPZA-PLT|x', ActionCode: 'PLT' }), {
        slaMinutes,
        claimMinutes,
      });
      expect(mrkdwnTexts(message).find((text) => text.startsWith('*Next step:*'))).toBe(
        `*Next step:* Claim the lead and reply: they asked to hear from you. Read their note first and answer it personally.${tiers}`,
      );
    },
  );

  it.each([
    [
      'Create',
      'AzurePortal-Create|contoso.x',
      '🚀 Created in the Azure portal: Jane Doe · Fabrikam',
      'deployment has begun',
    ],
    [
      'StartTestDrive',
      'AzureMarketplace-StartTestDrive|x',
      '🧪 Test Drive started: Jane Doe · Fabrikam',
      'trying the product right now',
    ],
    ['INS', 'AzureMarketplace-INS|x', '📦 Get it now: Jane Doe · Fabrikam', 'acquired the product'],
    [
      'FreeTrial',
      'AzureMarketplace-FreeTrial|x',
      '❔ Other marketplace action: Jane Doe · Fabrikam',
      'does not document',
    ],
  ])('explains %s', (actionCode, leadSource, header, words) => {
    const message = renderLeadMessage(lead({ ActionCode: actionCode, LeadSource: leadSource }));
    expect(message.blocks[0]).toMatchObject({ text: { text: header } });
    expect(mrkdwnTexts(message)[0]).toContain(words);
  });

  it('shows a do-not-contact notice as information, with no call to action', () => {
    const message = renderLeadMessage(lead({ ActionCode: 'DNC', LeadSource: 'SPZA-DNC|x' }));
    expect(message.blocks[0]).toMatchObject({ text: { text: '🚫 Do not contact: Jane Doe · Fabrikam' } });
    expect(mrkdwnTexts(message)).toContain(
      '*Next step:* No action: do not contact this customer about this request.',
    );
    expect(message.blocks.some((block) => block.type === 'actions')).toBe(false);
  });

  const hostile = [
    '<!channel>',
    '<!here>',
    '<@U0ADMIN>',
    '<https://evil.example|click here>',
    '*bold* _it_ ~x~ `code`',
    'Fish & <Chips>',
  ];

  it.each(hostile)(
    'puts lead text %j only in plain_text, and shows it literally in the fallback text',
    (evil) => {
      const customer = { ...JANE, Company: evil, FirstName: evil, Title: evil };
      const message = renderLeadMessage(
        lead({ CustomerInfo: JSON.stringify(customer), Description: evil, OfferDisplayName: evil }),
      );
      for (const text of mrkdwnTexts(message)) expect(text).not.toContain(evil);
      expect(plainTexts(message)).toContain(`Company: ${evil}`);
      expect(message.text).not.toMatch(/<[!@h]/);
      expect(message.text).toContain(literalMrkdwn(evil));
      expect(message.text).not.toMatch(/(^|[^\u200B])[*_~`]/);
    },
  );

  it('truncates a very long note to Slack’s section limit with a visible marker', () => {
    const message = renderLeadMessage(lead({ Description: 'ü'.repeat(10_000) }));
    const note = plainTexts(message).find((text) => text.startsWith('Note from the customer:')) ?? '';
    expect(note).toHaveLength(SLACK_LIMITS.sectionText);
    expect(note.endsWith('… (truncated)')).toBe(true);
  });

  it('stays within every Slack limit whatever the field lengths', () => {
    const long = 'x'.repeat(5000);
    const customer = Object.fromEntries(Object.keys(JANE).map((key) => [key, long]));
    const message = renderLeadMessage(
      lead({
        CustomerInfo: JSON.stringify(customer),
        Description: long,
        OfferDisplayName: long,
        PublisherDisplayName: long,
        LeadSource: long,
      }),
      {
        stages: Array.from({ length: 5 }, (_, i) => ({
          action: 'INS' as const,
          channel: 'AppSource' as const,
          at: new Date(i),
        })),
      },
    );
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    for (const block of message.blocks) {
      if (block.type === 'header')
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      if (block.type === 'section') {
        expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
        for (const field of block.fields ?? [])
          expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFieldText);
      }
    }
  });

  it('says what Microsoft did not provide', () => {
    const message = renderLeadMessage(lead({ CustomerInfo: JSON.stringify({ Email: 'a@b.example' }) }));
    expect(mrkdwnTexts(message)).toContain(
      'ℹ️ Not provided by Microsoft: first name, last name, phone, company, title, country.',
    );
    expect(message.blocks[0]).toMatchObject({ text: { text: '🧪 Test Drive started: a@b.example' } });
  });

  it('says when Microsoft sent no customer details at all', () => {
    const message = renderLeadMessage(lead({ CustomerInfo: '' }));
    expect(mrkdwnTexts(message).some((text) => text.includes('Microsoft sent no customer details'))).toBe(
      true,
    );
    expect(message.blocks[0]).toMatchObject({ text: { text: '🧪 Test Drive started: Unknown customer' } });
  });

  it('shows a malformed row with what was read, the problems, and the raw LeadSource', () => {
    const message = renderLeadMessage(lead({ LeadSource: 'Weird <value>', CustomerInfo: '{oops' }));
    expect(mrkdwnTexts(message)).toEqual(
      expect.arrayContaining([
        'ℹ️ The customer details Microsoft sent could not be read.',
        '⚠️ This lead row was malformed (LeadSource is not in the form Source-Action|Offer; CustomerInfo is not valid JSON). It is shown with what could be read.',
      ]),
    );
    expect(plainTexts(message)).toContain('LeadSource as written: Weird <value>');
  });

  it('shows the customer’s journey and the latest stage on a conversation’s first message', () => {
    const first = lead({ ActionCode: 'PLT', LeadSource: 'SPZA-PLT|x' });
    const message = renderLeadMessage(first, {
      stages: [
        { action: 'PLT', channel: 'AppSource', at: new Date('2025-11-15T20:00:00Z') },
        { action: 'Create', channel: 'AzurePortal', at: new Date('2025-11-16T09:00:00Z') },
      ],
    });
    expect(message.blocks[0]).toMatchObject({
      text: { text: '🚀 Created in the Azure portal: Jane Doe · Fabrikam' },
    });
    expect(mrkdwnTexts(message)).toContain(
      '*Journey:* Contact me (<!date^1763236800^{date_short_pretty} at {time}|2025-11-15 20:00 UTC>)  →  Created in the Azure portal (<!date^1763283600^{date_short_pretty} at {time}|2025-11-16 09:00 UTC>)',
    );
  });

  it('titles a later step of a known customer as such', () => {
    const message = renderLeadMessage(lead({ ActionCode: 'INS', LeadSource: 'SPZA-INS|x' }), {
      isRepeat: true,
    });
    expect(message.blocks[0]).toMatchObject({ text: { text: '📦 Same customer again: Get it now' } });
  });
});

describe('renderTestLeadMessage', () => {
  it('is a connection check, not a sales lead', () => {
    const message = renderTestLeadMessage(lead({ OfferDisplayName: 'MSFT_TEST_1 <b>' }));
    expect(message.text).toBe('Microsoft test lead received: your lead destination works');
    expect(mrkdwnTexts(message)[0]).toContain(
      `Your lead destination works: Microsoft sent a test lead for *${literalMrkdwn('MSFT_TEST_1 <b>')}*`,
    );
    expect(literalMrkdwn('MSFT_TEST_1 <b>')).toBe('MSFT\u200B_\u200BTEST\u200B_\u200B1 &lt;b&gt;');
    expect(JSON.stringify(message.blocks)).not.toContain('Next step');
  });
});

describe('renderFirstStartNotice', () => {
  it('reports the window and how many older leads were left out', () => {
    const message = renderFirstStartNotice({
      table: 'MarketplaceLeads',
      windowDays: 7,
      since: new Date('2025-11-08T00:00:00Z'),
      olderLeads: 1234,
    });
    expect(message.text).toBe(
      'Lead bot connected to the MarketplaceLeads table. Leads from the last 7 days (since <!date^1762560000^{date_short_pretty} at {time}|2025-11-08 00:00 UTC>) are posted here. 1234 older leads were left in the table and not posted (the window is the BACKFILL_DAYS setting).',
    );
  });
});
