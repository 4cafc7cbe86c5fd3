import { describe, expect, it } from 'vitest';
import { describeSkip, previewTurn, type Rotation, turnSlots } from '../../src/domain/rotation.ts';
import { takeTurn } from '../../src/services/assign-from-rotation.ts';
import { createMemoryCapacityStore } from '../../src/stores/memory/memory-capacity-store.ts';
import { createMemoryRulesStore } from '../../src/stores/memory/memory-rules-store.ts';

/**
 * The turn as assignment takes it: `takeTurn` itself, over the in-memory rules and capacity stores, from
 * the rotation as given. Who gets it, and where the next turn starts; null when nobody can take it.
 */
async function nextAssignee(rotation: Rotation, now: Date) {
  const rules = createMemoryRulesStore();
  await rules.replaceRotation(rotation.channel, rotation.members, null);
  const placed = await rules.readTurn(rotation.channel);
  if (placed) await rules.advanceTurn(rotation.channel, placed.version, rotation.next);
  const turn = await takeTurn(rotation.channel, 'conversation', {
    rules,
    capacity: createMemoryCapacityStore(),
    conversations: { listOwnedBy: async () => [] },
    availability: async () => new Map(),
    clock: () => now,
  });
  if (turn.kind !== 'taken') return null;
  return { userId: turn.userId, next: (await rules.rotation(rotation.channel)).next };
}

const NOW = new Date('2026-11-30T12:00:00Z');

const rotation = (members: Array<[string, boolean]>, next: number): Rotation => ({
  channel: 'C1',
  members: members.map(([userId, paused]) => ({ userId, paused })),
  next,
});

describe('nextAssignee', () => {
  it.each([
    [
      [
        ['A', false],
        ['B', false],
        ['C', false],
      ],
      0,
      { userId: 'A', next: 1 },
    ],
    [
      [
        ['A', false],
        ['B', false],
        ['C', false],
      ],
      2,
      { userId: 'C', next: 0 },
    ],
    [
      [
        ['A', false],
        ['B', true],
        ['C', false],
      ],
      1,
      { userId: 'C', next: 0 },
    ], // a paused rep is skipped
    [
      [
        ['A', false],
        ['B', true],
        ['C', true],
      ],
      1,
      { userId: 'A', next: 1 },
    ], // wrapping round
    [[['A', false]], 0, { userId: 'A', next: 0 }],
    [
      [
        ['A', false],
        ['B', false],
      ],
      7,
      { userId: 'B', next: 0 },
    ], // a stale index past the end wraps
  ] as Array<[Array<[string, boolean]>, number, { userId: string; next: number }]>)(
    '%j from %i → %j',
    async (members, next, expected) => {
      expect(await nextAssignee(rotation(members, next), NOW)).toEqual(expected);
    },
  );

  it.each([
    [[]],
    [
      [
        ['A', true],
        ['B', true],
      ],
    ],
  ] as Array<[Array<[string, boolean]>]>)('is null for %j', async (members) => {
    expect(await nextAssignee(rotation(members, 0), NOW)).toBeNull();
  });

  it('goes round the reps in order', async () => {
    let state = rotation(
      [
        ['A', false],
        ['B', false],
        ['C', false],
      ],
      0,
    );
    const order: string[] = [];
    for (let i = 0; i < 7; i++) {
      const turn = await nextAssignee(state, NOW);
      if (!turn) throw new Error('no turn');
      order.push(turn.userId);
      state = { ...state, next: turn.next };
    }
    expect(order).toEqual(['A', 'B', 'C', 'A', 'B', 'C', 'A']);
  });
});

describe('previewTurn', () => {
  const member = (userId: string, paused = false) => ({ userId, paused });
  it.each([
    [[member('UA'), member('UB')], 1, 'UB', []],
    [[member('UA', true), member('UB'), member('UC')], 0, 'UB', ['UA']],
    [[member('UA'), member('UB', true), member('UC', true)], 1, 'UA', ['UB', 'UC']],
    [[member('UA', true)], 0, null, ['UA']],
    [[], 0, null, []],
  ])('members %j, next %i → %s, skipping %j', async (members, next, expected, skipped) => {
    const rotation: Rotation = { channel: 'C', members, next };
    const turn = previewTurn(rotation, NOW);
    expect(turn.next?.userId ?? null).toBe(expected);
    expect(turn.skipped.map((skip) => skip.userId)).toEqual(skipped);
    // The preview names whom the turn would go to.
    expect((await nextAssignee(rotation, NOW))?.userId ?? null).toBe(expected);
  });
});

describe('away reps', () => {
  const rotation = (awayUntil: Date | null): Rotation => ({
    channel: 'C',
    members: [
      { userId: 'UA', paused: false, awayUntil },
      { userId: 'UB', paused: false },
    ],
    next: 0,
  });
  it.each([
    ['away until tomorrow: skipped', new Date('2026-12-01T00:00:00Z'), 'UB'],
    ['away until a moment ago: back', new Date('2026-11-30T11:59:59Z'), 'UA'],
    ['away until exactly now: back', NOW, 'UA'],
    ['not away', null, 'UA'],
  ])('%s', async (_, awayUntil, expected) => {
    expect((await nextAssignee(rotation(awayUntil), NOW))?.userId).toBe(expected);
  });

  it('names why each skipped rep was passed over', () => {
    const until = new Date('2026-12-07T00:00:00Z');
    const turn = previewTurn(
      {
        channel: 'C',
        members: [
          { userId: 'UA', paused: true },
          { userId: 'UB', paused: false, awayUntil: until },
          { userId: 'UC', paused: false },
        ],
        next: 0,
      },
      NOW,
    );
    expect(turn.skipped).toEqual([
      { userId: 'UA', reason: { kind: 'paused' } },
      { userId: 'UB', reason: { kind: 'away', until } },
    ]);
    expect(turn.next?.userId).toBe('UC');
  });
});

describe('weights', () => {
  const members = (...weights: number[]) =>
    weights.map((weight, index) => ({ userId: `U${index}`, paused: false, weight }));
  it.each([
    [
      [1, 1, 1],
      [0, 1, 2],
    ],
    [
      [2, 1],
      [0, 1, 0],
    ],
    [
      [2, 1, 3],
      [0, 1, 2, 0, 2, 2],
    ],
    [[1], [0]],
    [
      [0, 1],
      [0, 1],
    ], // below 1 counts as 1
    [
      [99, 1],
      [0, 1, ...Array<number>(9).fill(0)],
    ], // above the maximum counts as the maximum
  ])('weights %j give the round %j', (weights, slots) => {
    expect(turnSlots(members(...weights))).toEqual(slots);
  });

  it('gives each rep their share over many rounds, and skips a paused heavy rep without a second turn', async () => {
    let state: Rotation = { channel: 'C', members: members(3, 1), next: 0 };
    const counts: Record<string, number> = {};
    for (let turn = 0; turn < 40; turn++) {
      const next = await nextAssignee(state, NOW);
      if (!next) throw new Error('no turn');
      counts[next.userId] = (counts[next.userId] ?? 0) + 1;
      state = { ...state, next: next.next };
    }
    expect(counts).toEqual({ U0: 30, U1: 10 });
    const paused: Rotation = {
      channel: 'C',
      members: [
        { userId: 'U0', paused: true, weight: 3 },
        { userId: 'U1', paused: false },
      ],
      next: 0,
    };
    expect(previewTurn(paused, NOW).skipped).toEqual([{ userId: 'U0', reason: { kind: 'paused' } }]);
  });
});

describe('describeSkip', () => {
  it.each([
    [{ kind: 'paused' }, 'paused'],
    [{ kind: 'full', open: 5, cap: 5 }, 'at their cap (5 open of 5)'],
    [{ kind: 'passed' }, 'passed this lead on already'],
    [{ kind: 'deactivated' }, 'deactivated in Slack'],
    [{ kind: 'away', until: new Date('2026-12-07T00:00:00Z') }, 'away until 2026-12-07'],
  ] as const)('%j → %s', (reason, words) => {
    expect(describeSkip(reason)).toBe(words);
  });
});
