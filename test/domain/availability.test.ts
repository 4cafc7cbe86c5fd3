import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AWAY_STATUSES,
  parseAwayStatuses,
  type UserProfile,
  unavailableBy,
} from '../../src/domain/availability.ts';

const profile = (emoji: string, text: string, deactivated = false): UserProfile => ({
  timeZone: null,
  isWorkspaceAdmin: false,
  status: { emoji, text },
  deactivated,
  email: null,
});
const away = parseAwayStatuses(DEFAULT_AWAY_STATUSES);

describe('availability by Slack profile', () => {
  it.each([
    ['🌴 emoji, no text', profile(':palm_tree:', ''), 'status'],
    ['🤒 emoji', profile(':face_with_thermometer:', 'back Monday'), 'status'],
    ['the words, any case', profile('', 'Out Of Office until 3 Dec'), 'status'],
    ['"vacation" inside the text', profile(':sunny:', 'On vacation 🏖'), 'status'],
    ['a status that is not away', profile(':calendar:', 'In a meeting'), null],
    ['no status', profile('', ''), null],
    ['a deactivated account', profile('', '', true), 'deactivated'],
  ])('%s → %s', (_, user, kind) => {
    expect(unavailableBy(user, away)?.kind ?? null).toBe(kind);
  });

  it('reads AWAY_STATUSES as emoji codes and words', () => {
    expect(parseAwayStatuses(' :Palm_Tree: , OOO,, parental leave')).toEqual({
      emojis: [':palm_tree:'],
      words: ['ooo', 'parental leave'],
    });
  });
});
