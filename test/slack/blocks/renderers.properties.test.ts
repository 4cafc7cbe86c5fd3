import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../src/domain/conversation.ts';
import { parseLeadRow } from '../../../src/domain/lead.ts';
import { literalMrkdwn } from '../../../src/domain/mrkdwn.ts';
import { teamFigures } from '../../../src/domain/stats.ts';
import type { LeadListPage } from '../../../src/domain/team-views.ts';
import { renderAudit, renderCommandReply } from '../../../src/slack/blocks/admin-replies.ts';
import { renderClosedNote } from '../../../src/slack/blocks/close.ts';
import { renderCommandError } from '../../../src/slack/blocks/command-reply.ts';
import { renderDigest } from '../../../src/slack/blocks/digest.ts';
import { renderFollowUpNote } from '../../../src/slack/blocks/follow-up.ts';
import { renderHome } from '../../../src/slack/blocks/home.ts';
import {
  renderConversation,
  renderLeadMessage,
  renderTestLeadMessage,
} from '../../../src/slack/blocks/lead-message.ts';
import { fitMessage, fitView, SLACK_LIMITS } from '../../../src/slack/blocks/limits.ts';
import { renderNewOwnerMessage } from '../../../src/slack/blocks/ownership-notes.ts';
import {
  renderAssignmentProblem,
  renderEscalation,
  renderOwnerReminder,
  renderUnclaimedAnnouncement,
  renderUnclaimedReminder,
} from '../../../src/slack/blocks/reminders.ts';
import { renderLeadList } from '../../../src/slack/blocks/team-views.ts';
import type { Block } from '../../../src/slack/blocks/types.ts';
import { JANE, leadRow } from '../../fixtures/lead-rows.ts';
import { textObjectsOf } from '../../support/block-texts.ts';

// Every renderer, fed text a stranger wrote (a lead field) or a user typed (a command), as it leaves for
// Slack (through fitMessage / fitView, which every gateway applies): within Slack's limits, valid for
// the blocks used, and with nothing from the input live as a mention, link, emoji code or formatting.

const TOKENS = [
  '<!channel>',
  '<!here>',
  '<@U0ADMIN>',
  '<https://evil.example|click>',
  'https://evil.example/bare',
  'www.evil.example',
  'evil@evil.example',
  '*EVIL*',
  '_EVIL_',
  '~EVIL~',
  '`EVIL`',
  ':evil:',
  '&amp;',
  '<',
  '>',
];
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 20 })), { maxLength: 12 })
  .map((parts) => parts.join(' '));
const huge = fc.oneof(hostile, fc.constantFrom('<'.repeat(31_800), `*EVIL* ${'x'.repeat(40_000)}`));

/** What would be live in Slack if the input were not neutralised, in mrkdwn text. */
const LIVE = [
  /<!channel>|<!here>|<@U0ADMIN>|<https:\/\/evil/,
  /https:\/\/evil|www\.evil|evil@evil|evil\.example/,
  /\*EVIL\*|_EVIL_|~EVIL~|`EVIL`/,
  /:evil:/,
];

function expectSafeMessage(
  raw: { readonly text?: string; readonly blocks: readonly { readonly type: string }[] },
  maxBlocks = 50,
) {
  const message =
    maxBlocks === SLACK_LIMITS.blocksPerView
      ? { ...fitView(raw), text: '' }
      : fitMessage({ ...raw, text: raw.text ?? '' });
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  expect(message.blocks.length).toBeLessThanOrEqual(maxBlocks);
  for (const block of message.blocks as readonly Block[]) {
    if (block.type === 'header') expect(block.text.type).toBe('plain_text');
    if (block.type === 'section')
      expect((block.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
    if (block.type === 'context')
      expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
  }
  for (const text of textObjectsOf(message.blocks)) {
    expect(text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (text.type === 'mrkdwn') for (const live of LIVE) expect(text.text).not.toMatch(live);
  }
  for (const live of LIVE) expect(message.text).not.toMatch(live);
}

const lead = (company: string, name: string, offer: string) =>
  parseLeadRow(
    leadRow({
      CustomerInfo: JSON.stringify({ ...JANE, Company: company, FirstName: name, Email: name }),
      OfferDisplayName: offer,
      Description: company,
    }),
  );

const conversation = (owner: string | null): Conversation => ({
  id: 'a'.repeat(32),
  key: 'k',
  rootLeadId: { partitionKey: 'p', rowKey: 'r' },
  channel: 'C0LEADS',
  ts: '1.2',
  stages: [
    { leadId: { partitionKey: 'p', rowKey: 'r' }, action: 'PLT', channel: 'AppSource', at: new Date(0) },
  ],
  omittedStages: 0,
  owner: owner ? { userId: owner, since: new Date(0), accepted: true } : null,
  nextStepDueAt: null,
  qualified: null,
  sla: null,
  followUp: null,
  firstFollowUpAt: null,
  snoozedUntil: null,
  closed: null,
  etag: '',
});

const now = new Date('2026-03-29T01:30:00Z');
const list = (customer: string): LeadListPage => ({
  items: Array.from({ length: 30 }, () => ({
    customer,
    stage: 'Contact me',
    owner: 'U0ANNA',
    arrivedAt: now,
    dueAt: now,
    permalink: 'https://example.slack.com/archives/C1/p1',
  })),
  page: 1,
  pages: 2,
  total: 40,
});

describe('properties: every renderer with hostile text', () => {
  it('lead messages, conversations and test-lead notices', () => {
    fc.assert(
      fc.property(huge, hostile, hostile, (company, name, offer) => {
        const subject = lead(company, name, offer);
        expectSafeMessage(renderLeadMessage(subject));
        expectSafeMessage(renderLeadMessage(subject, { isRepeat: true }));
        expectSafeMessage(renderTestLeadMessage(subject));
        expectSafeMessage(renderConversation(conversation('U0ANNA'), subject, now));
      }),
      { numRuns: 60 },
    );
  });

  it('reminders, escalations and new-owner messages', () => {
    fc.assert(
      fc.property(huge, (customer) => {
        const subject = {
          conversationId: 'a'.repeat(32),
          customer,
          stage: 'Contact me',
          arrivedAt: now,
          permalink: 'https://example.slack.com/archives/C1/p1',
          owner: 'U0ANNA',
        };
        expectSafeMessage(renderOwnerReminder(subject));
        expectSafeMessage(renderUnclaimedReminder(subject));
        expectSafeMessage(renderEscalation(subject));
        // A lead its assignee has not accepted, and one nobody claimed.
        for (const owner of ['U0ANNA', null]) {
          expectSafeMessage(renderUnclaimedAnnouncement({ ...subject, owner }, 5));
          expectSafeMessage(
            renderAssignmentProblem({ ...subject, owner }, { kind: 'unclaimed', minutes: 10 }),
          );
        }
        expectSafeMessage(
          renderNewOwnerMessage({
            by: 'rotation',
            customer,
            stage: 'Contact me',
            permalink: null,
            followUpBy: '',
            acceptWithinMinutes: 15,
            conversationId: 'a'.repeat(32),
          }),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('lists, App Home and the digest', () => {
    fc.assert(
      fc.property(huge, (customer) => {
        const figures = teamFigures([], now, now);
        expectSafeMessage(
          renderLeadList('Overdue follow-ups', list(customer), now, 'none', '/leads overdue 2'),
        );
        expectSafeMessage(
          renderHome({ mine: list(customer), team: { overdue: list(customer), figures, days: 7 }, now }),
          SLACK_LIMITS.blocksPerView,
        );
        expectSafeMessage(
          renderDigest({
            day: 'Monday',
            yesterday: figures,
            unclaimed: 1,
            overdue: list(customer),
            week: figures,
            now,
          }),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('notes with what reps typed, and answers to what admins typed', () => {
    fc.assert(
      fc.property(huge, (typed) => {
        expectSafeMessage(
          renderFollowUpNote({ by: 'U0ANNA', at: now, kind: 'call', note: typed, nextStepOn: null }),
        );
        expectSafeMessage(renderClosedNote({ by: 'U0ANNA', at: now, outcome: 'lost', reason: typed }));
        expectSafeMessage(renderCommandError(`"${typed}" is not an action.`, '/leads sla PLT 1h'));
        // Callers build replies from literalMrkdwn'd text (e.g. rule descriptions).
        expectSafeMessage(
          renderCommandReply(`Routing rules:\n1. offer=${literalMrkdwn(typed)} → <#C0SALES>`),
        );
        expectSafeMessage(
          renderAudit([
            { at: now, by: 'U0ANNA', command: typed, allowed: true, before: typed, after: typed },
          ]),
        );
      }),
      { numRuns: 40 },
    );
  });
});
