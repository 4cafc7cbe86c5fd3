import { describe, expect, it } from 'vitest';
import type { Conversation, Stage } from '../../src/domain/conversation.ts';
import {
  type CrmChange,
  crmChangeKeyOf,
  crmUpdateOf,
  leadKeyOfChange,
  parseCrmChange,
  recordingOf,
  serialiseCrmChange,
} from '../../src/domain/crm-change.ts';
import type { OwnershipEvent } from '../../src/domain/ownership.ts';

const at = new Date('2026-03-02T09:30:00Z');
const LEAD_KEY = 'mkt-0123456789abcdef0123456789abcdef';

const changes: readonly { name: string; change: CrmChange }[] = [
  { name: 'owner', change: { kind: 'owner', at, by: 'U0MGR', ownerId: 'U0REP' } },
  {
    name: 'follow-up',
    change: {
      kind: 'followUp',
      at,
      by: 'U0REP',
      followUpKind: 'meeting',
      note: 'Demo <b>booked</b>',
      nextStepOn: '2026-03-09',
      stage: 'Contacted',
    },
  },
  { name: 'stage', change: { kind: 'stage', at, by: 'U0REP', stage: 'Not a fit', reason: null } },
];

describe('crmChangeKeyOf', () => {
  it.each(changes)('$name: the same change has the same key, under its lead', ({ change }) => {
    const key = crmChangeKeyOf(LEAD_KEY, change);
    expect(key).toBe(crmChangeKeyOf(LEAD_KEY, { ...change }));
    expect(key).toMatch(/^mkt-[0-9a-f]{32}\.[0-9a-f]{16}$/);
    expect(leadKeyOfChange(key)).toBe(LEAD_KEY);
  });

  it('differs between changes of one lead, and between leads', () => {
    const keys = changes.map(({ change }) => crmChangeKeyOf(LEAD_KEY, change));
    const later = { ...changes[0]?.change, at: new Date(at.getTime() + 1) } as CrmChange;
    keys.push(crmChangeKeyOf(LEAD_KEY, later), crmChangeKeyOf('mkt-other', changes[0]?.change as CrmChange));
    expect(new Set(keys).size).toBe(keys.length);
    expect(leadKeyOfChange(LEAD_KEY)).toBe(LEAD_KEY);
  });
});

describe('parseCrmChange', () => {
  it.each(changes)('$name: reads back what was stored', ({ change }) => {
    expect(parseCrmChange(serialiseCrmChange(change))).toEqual(change);
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown kind', JSON.stringify({ kind: 'merge', at: at.toISOString(), by: 'U1' })],
    ['a bad date', JSON.stringify({ kind: 'owner', at: 'yesterday', by: 'U1', ownerId: 'U2' })],
    [
      'an unknown stage',
      JSON.stringify({ kind: 'stage', at: at.toISOString(), by: 'U1', stage: 'Done', reason: null }),
    ],
    [
      'a follow-up kind it does not know',
      JSON.stringify({
        kind: 'followUp',
        at: at.toISOString(),
        by: 'U1',
        followUpKind: 'fax',
        note: null,
        nextStepOn: null,
        stage: 'Contacted',
      }),
    ],
  ])('is null for %s', (_, text) => {
    expect(parseCrmChange(text)).toBeNull();
  });
});

describe('crmUpdateOf', () => {
  const names = (userId: string) => (userId === 'U0REP' ? 'rep@contoso.example' : `Slack user ${userId}`);

  it.each([
    {
      name: 'owner: sets the owner, adds no activity',
      change: changes[0]?.change,
      expected: { stage: null, ownerEmail: 'rep@contoso.example', activity: null },
    },
    {
      name: 'follow-up: sets its stage, adds an activity with the note as written',
      change: changes[1]?.change,
      expected: {
        stage: 'Contacted',
        ownerEmail: null,
        activity: {
          subject: expect.stringMatching(
            /^Meeting logged in Slack by rep@contoso\.example \(ref mkt[0-9a-f]{48}\)$/,
          ),
          body: `Meeting logged in Slack by rep@contoso.example at 2026-03-02T09:30:00.000Z.\nNext step planned for 2026-03-09.\n\nNote:\nDemo <b>booked</b>`,
        },
      },
    },
    {
      name: 'stage: sets it, and says who did',
      change: changes[2]?.change,
      expected: {
        stage: 'Not a fit',
        ownerEmail: null,
        activity: {
          subject: expect.stringMatching(/^Stage Not a fit, set in Slack by rep@contoso\.example \(ref /),
          body: 'Stage set to Not a fit in Slack by rep@contoso.example at 2026-03-02T09:30:00.000Z.',
        },
      },
    },
  ])('$name', ({ change, expected }) => {
    if (change === undefined) throw new Error('no change');
    const key = crmChangeKeyOf(LEAD_KEY, change);
    const update = crmUpdateOf({
      key,
      change,
      ownerEmail: change.kind === 'owner' ? 'rep@contoso.example' : null,
      byName: names(change.by),
      maybeWritten: false,
    });
    expect(update).toEqual({ key, at, maybeWritten: false, ...expected });
  });

  it('keeps a subject within 255 characters, its reference whole, whoever did it', () => {
    const change: CrmChange = { kind: 'stage', at, by: 'U0REP', stage: 'Lost', reason: 'x'.repeat(5000) };
    const key = crmChangeKeyOf(LEAD_KEY, change);
    const update = crmUpdateOf({
      key,
      change,
      ownerEmail: null,
      byName: 'n'.repeat(400),
      maybeWritten: true,
    });
    expect(update.activity?.subject.length).toBeLessThanOrEqual(255);
    expect(update.activity?.subject.endsWith(`(ref ${key.replace(/[-.]/g, '')})`)).toBe(true);
    expect(update.activity?.body.endsWith('x'.repeat(5000))).toBe(true);
  });
});

describe('recordingOf: whether the conversation shows a change queued before it was recorded', () => {
  const earlier = new Date(at.getTime() - 60_000);
  const later = new Date(at.getTime() + 60_000);
  const leadId = { partitionKey: 'p', rowKey: 'r' };
  const stageAt = (when: Date): Stage => ({ leadId, action: 'PLT', channel: 'AppSource', at: when });
  const conversation = (changes: Partial<Conversation> = {}): Conversation => ({
    id: 'c1',
    key: 'k',
    rootLeadId: leadId,
    channel: 'C0LEADS',
    ts: '1.2',
    stages: [stageAt(earlier)],
    omittedStages: 0,
    owner: null,
    sla: null,
    followUp: null,
    firstFollowUpAt: null,
    snoozedUntil: null,
    nextStepDueAt: null,
    qualified: null,
    closed: null,
    etag: '',
    ...changes,
  });
  const owner = (userId: string, since: Date) => ({ owner: { userId, since, accepted: true } });
  const followUp = (by: string, when: Date) => ({
    followUp: { by, at: when, kind: 'call' as const, note: null, nextStepOn: null },
  });
  const closed = (by: string, when: Date) => ({
    closed: { by, at: when, outcome: 'lost' as const, reason: null },
  });
  const ownedBy: CrmChange = { kind: 'owner', at, by: 'U0REP', ownerId: 'U0REP' };
  const called: CrmChange = {
    kind: 'followUp',
    at,
    by: 'U0REP',
    followUpKind: 'call',
    note: null,
    nextStepOn: null,
    stage: 'Contacted',
  };
  const lost: CrmChange = { kind: 'stage', at, by: 'U0REP', stage: 'Lost', reason: null };
  const qualified: CrmChange = { kind: 'stage', at, by: 'U0REP', stage: 'Qualified', reason: null };
  const logged = (to: string, when: Date): OwnershipEvent => ({
    conversationId: 'c1',
    kind: 'claim',
    by: to,
    from: null,
    to,
    at: when,
  });

  it.each([
    {
      case: 'an owner shown since the change',
      change: ownedBy,
      state: owner('U0REP', at),
      expected: 'recorded',
    },
    {
      case: 'an owner changed again since, the change in the log',
      change: ownedBy,
      state: owner('U0OTHER', later),
      events: [logged('U0REP', at), logged('U0OTHER', later)],
      expected: 'recorded',
    },
    {
      case: 'an owner never set (the process stopped first)',
      change: ownedBy,
      state: {},
      expected: 'notRecorded',
    },
    {
      case: 'the same owner set by a racing claim, at another time',
      change: ownedBy,
      state: owner('U0REP', later),
      events: [logged('U0REP', later)],
      expected: 'notRecorded',
    },
    { case: 'the follow-up shown', change: called, state: followUp('U0REP', at), expected: 'recorded' },
    { case: 'no follow-up recorded', change: called, state: {}, expected: 'notRecorded' },
    {
      case: 'only an older follow-up',
      change: called,
      state: followUp('U0REP', earlier),
      expected: 'notRecorded',
    },
    {
      case: 'a later follow-up replaced it',
      change: called,
      state: followUp('U0REP', later),
      expected: 'unknown',
    },
    { case: 'the closure shown', change: lost, state: closed('U0REP', at), expected: 'recorded' },
    {
      case: 'someone else closed it first',
      change: lost,
      state: closed('U0MGR', earlier),
      expected: 'notRecorded',
    },
    { case: 'not closed, nothing since', change: lost, state: {}, expected: 'notRecorded' },
    {
      case: 'reopened by a later lead',
      change: lost,
      state: { stages: [stageAt(later)] },
      expected: 'unknown',
    },
    { case: 'closed again later', change: lost, state: closed('U0REP', later), expected: 'unknown' },
    {
      case: 'qualified by this change',
      change: qualified,
      state: { qualified: { by: 'U0REP', at } },
      expected: 'recorded',
    },
    {
      case: 'qualified by another click first',
      change: qualified,
      state: { qualified: { by: 'U0REP', at: earlier } },
      expected: 'notRecorded',
    },
  ])('$case: $expected', ({ change, state, events, expected }) => {
    expect(recordingOf(change, conversation(state), events ?? [])).toBe(expected);
  });

  it('a conversation that is gone shows nothing', () => {
    expect(recordingOf(called, null, [])).toBe('notRecorded');
  });

  it('reads back the conversation a change belongs to, and changes stored without one', () => {
    const recorded = { ...called, conversationId: 'c1' };
    expect(parseCrmChange(serialiseCrmChange(recorded))).toEqual(recorded);
    expect(parseCrmChange(serialiseCrmChange(called))).not.toHaveProperty('conversationId');
  });
});
