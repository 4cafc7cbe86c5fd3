import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInboundLead } from '../src/domain/inbound-lead.ts';
import { parseLeadRow } from '../src/domain/lead.ts';
import { parseRulesDocument } from '../src/domain/rules-document.ts';
import { renderLeadMessage, renderTestLeadMessage } from '../src/slack/blocks/lead-message.ts';
import { SLACK_LIMITS } from '../src/slack/blocks/limits.ts';
import type { CommandDeps } from '../src/slack/commands/leads-commands.ts';
import { findSubcommand, leadsCommands } from '../src/slack/commands/leads-commands.ts';
import { textObjectsOf } from './support/block-texts.ts';

// Any text in any field: hostile mentions and links, JSON fragments, emoji, control characters, huge.
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.constantFrom(
    '<!channel>',
    '<!here>',
    '<@U0ADMIN>',
    '<https://evil.example|click>',
    '*bold*',
    '&amp;',
    'MSFT_TEST_1',
    '{"a":1}',
    '[]',
    'null',
    '',
    ' ',
  ),
  fc.json(),
  fc.string({ minLength: 3000, maxLength: 6000 }),
);
const anyValue = fc.oneof(hostile, fc.integer(), fc.boolean(), fc.constant(null), fc.object());
const COLUMNS = [
  'LeadSource',
  'ActionCode',
  'CustomerInfo',
  'Description',
  'OfferDisplayName',
  'PublisherDisplayName',
  'ProductId',
  'CreatedTime',
];
const row = fc.record(Object.fromEntries(COLUMNS.map((column) => [column, anyValue])), { requiredKeys: [] });
const customerInfo = fc.record(
  Object.fromEntries(
    ['FirstName', 'LastName', 'Email', 'Phone', 'Country', 'Company', 'Title'].map((key) => [key, hostile]),
  ),
  { requiredKeys: [] },
);

/** What is left of a mrkdwn text once the bot's own tokens (dates, mentions of ids, links it made) are removed. */
const withoutOwnTokens = (text: string) =>
  text.replace(/<!date\^\d+\^[^|>]*\|[^>]*>|<@[UW][A-Z0-9]+>|<#[CG][A-Z0-9]+>/g, '');

describe('properties: hostile lead rows', () => {
  it('any row parses into a lead, and renders within Slack limits with no lead text able to ping or link', () => {
    fc.assert(
      fc.property(row, customerInfo, (columns, customer) => {
        const withCustomer = { ...columns, CustomerInfo: JSON.stringify(customer) };
        for (const candidate of [columns, withCustomer]) {
          const lead = parseLeadRow({ partitionKey: 'p', rowKey: 'r', timestamp: new Date(0), ...candidate });
          const message = lead.isTest ? renderTestLeadMessage(lead) : renderLeadMessage(lead);
          expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
          expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
          for (const text of textObjectsOf(message.blocks)) {
            expect(text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
            if (text.type === 'mrkdwn') expect(withoutOwnTokens(text.text)).not.toMatch(/[<>]/);
          }
          expect(withoutOwnTokens(message.text)).not.toMatch(/[<>]/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('any pushed body is a lead or a reason, never an exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            UserDetails: fc.oneof(customerInfo, anyValue),
            LeadSource: anyValue,
            ActionCode: anyValue,
            OfferTitle: anyValue,
          }),
        ),
        (body) => {
          const parsed = parseInboundLead(body, new Date(0));
          expect(typeof parsed.ok).toBe('boolean');
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any rules document is accepted or refused with reasons', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const parsed = parseRulesDocument(text);
        if (!parsed.ok) expect(parsed.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('properties: /leads command text', () => {
  // Parsing never reaches the stores: the table's parse functions are pure, so no dependency is used.
  const table = leadsCommands({} as CommandDeps);
  const words = fc.array(
    fc.oneof(
      hostile,
      fc.constantFrom(
        'route',
        'move',
        'rotation',
        'pause',
        'sla',
        'active',
        'hours',
        'admins',
        'add',
        'rules',
        'import',
        'export',
        '<#C0123|x>',
        '<@U0123>',
        'offer=*',
        '4h',
        'Create',
        'off',
      ),
    ),
    { maxLength: 8 },
  );

  it('any text finds a subcommand whose parser answers ok or a problem, or none at all', () => {
    fc.assert(
      fc.property(words, (parts) => {
        const found = findSubcommand(table, parts.join(' '));
        if (found === null) return;
        const handled = found.subcommand.handle(found.args);
        if (!handled.ok) expect(handled.problem.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});
