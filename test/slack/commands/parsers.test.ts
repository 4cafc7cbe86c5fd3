import { describe, expect, it } from 'vitest';
import {
  channelOf,
  parseAcceptance,
  parseActiveActions,
  parseChannel,
  parseDurationOrOff,
  parseHours,
  parseMemberNumber,
  parseNothing,
  parseRotation,
  parseRoute,
  parseRouteMove,
  parseRuleNumber,
  parseSla,
  parseStale,
  parseUser,
  parseWindow,
  userOf,
} from '../../../src/slack/commands/parsers.ts';

const words = (text: string) => text.split(' ').filter(Boolean);

const weight = (args: readonly string[]) => parseMemberNumber(args, 'weight', { min: 1, max: 10 });
const cap = (args: readonly string[]) => parseMemberNumber(args, 'cap', { min: 1, max: 1000 });

describe('Slack’s escaped forms and plain ids', () => {
  it.each([
    ['<#C0123ABCD|sales>', 'C0123ABCD'],
    ['<#C0123ABCD>', 'C0123ABCD'],
    ['<#G0123ABCD|private-sales>', 'G0123ABCD'],
    ['C0123ABCD', 'C0123ABCD'],
    ['#sales', null],
    ['<@U0123>', null],
    ['', null],
  ])('channel %j → %j', (token, id) => {
    expect(channelOf(token)).toBe(id);
  });

  it.each([
    ['<@U0ANNA01|anna>', 'U0ANNA01'],
    ['<@U0ANNA01>', 'U0ANNA01'],
    ['<@W0ANNA01>', 'W0ANNA01'],
    ['U0ANNA01', 'U0ANNA01'],
    ['@anna', null],
    ['<#C0123|x>', null],
  ])('user %j → %j', (token, id) => {
    expect(userOf(token)).toBe(id);
  });
});

describe('subcommand arguments', () => {
  it.each([
    [
      'offer=contoso.* <#C0EMEA|sales-emea>',
      { ok: true, value: { match: { offer: 'contoso.*' }, channel: 'C0EMEA' } },
    ],
    [
      'offer=contoso.* Country=DE source=SPZA action=Create publisher=Contoso C0EMEA',
      {
        ok: true,
        value: {
          match: {
            offer: 'contoso.*',
            country: 'DE',
            source: 'SPZA',
            action: 'Create',
            publisher: 'Contoso',
          },
          channel: 'C0EMEA',
        },
      },
    ],
    ["offer=o'brien=x <#C0EMEA>", { ok: true, value: { match: { offer: "o'brien=x" }, channel: 'C0EMEA' } }],
  ])('route %j', (text, expected) => {
    expect(parseRoute(words(text))).toEqual(expected);
  });

  it.each([
    ['offer=contoso.*', /last argument must be the channel/],
    ['<#C0EMEA>', /at least one condition/],
    ['colour=red <#C0EMEA>', /"colour=red" is not a condition/],
    ['offer= <#C0EMEA>', /has no pattern/],
    [`country=${'*'.repeat(201)} <#C0EMEA>`, /country pattern is longer than 200 characters/],
  ])('route %j is refused: %s', (text, problem) => {
    const parsed = parseRoute(words(text));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });

  it.each([
    [parseRuleNumber, '2', { ok: true, value: 2 }],
    [parseRuleNumber, '0', { ok: false }],
    [parseRuleNumber, 'two', { ok: false }],
    [parseRuleNumber, '', { ok: false }],
    [parseRouteMove, '3 1', { ok: true, value: { from: 3, to: 1 } }],
    [parseRouteMove, '3', { ok: false }],
    [
      parseRotation,
      '<#C0SALES|sales> <@U0ANNA|anna> <@U0BEN>',
      { ok: true, value: { channel: 'C0SALES', users: ['U0ANNA', 'U0BEN'] } },
    ],
    [parseRotation, '<#C0SALES>', { ok: true, value: { channel: 'C0SALES', users: [] } }],
    [parseRotation, '<#C0SALES> @anna', { ok: false }],
    [parseRotation, '<@U0ANNA>', { ok: false }],
    [parseUser, '<@U0ANNA|anna>', { ok: true, value: 'U0ANNA' }],
    [parseUser, '<@U0ANNA> <@U0BEN>', { ok: false }],
    [parseSla, 'Create 24h', { ok: true, value: { action: 'Create', minutes: 1440 } }],
    [parseSla, 'starttestdrive 30m', { ok: true, value: { action: 'StartTestDrive', minutes: 30 } }],
    [parseSla, 'Create tomorrow', { ok: false }],
    [parseSla, 'Buy 4h', { ok: false }],
    [parseSla, 'Create', { ok: false }],
    [parseActiveActions, 'Create,StartTestDrive', { ok: true, value: ['Create', 'StartTestDrive'] }],
    [parseActiveActions, 'create, plt create', { ok: true, value: ['Create', 'PLT'] }],
    [parseActiveActions, 'DNC', { ok: false }],
    [parseActiveActions, 'Nope', { ok: false }],
    [parseActiveActions, '', { ok: false }],
    [parseHours, '<#C0SALES> off', { ok: true, value: { channel: 'C0SALES', hours: null } }],
    [parseHours, '<#C0SALES> Mon-Fri 25:00-17:00 Europe/Berlin', { ok: false }],
    [parseHours, 'Mon-Fri 09:00-17:00 Europe/Berlin', { ok: false }],
    [parseChannel, '<#C0MGRS|managers>', { ok: true, value: 'C0MGRS' }],
    [parseChannel, 'managers', { ok: false }],
    [parseNothing, '', { ok: true, value: null }],
    [parseNothing, 'extra', { ok: false }],
    [parseWindow, '', { ok: true, value: 7 }],
    [parseWindow, '30d', { ok: true, value: 30 }],
    [parseWindow, '30', { ok: false }],
    [parseWindow, '0d', { ok: false }],
    [weight, '<#C0SALES> <@U0ANNA> 2', { ok: true, value: { channel: 'C0SALES', user: 'U0ANNA', value: 2 } }],
    [weight, '<#C0SALES> <@U0ANNA> 0', { ok: false }],
    [weight, '<#C0SALES> <@U0ANNA> 11', { ok: false }],
    [weight, '<#C0SALES> <@U0ANNA> off', { ok: false }],
    [weight, '<@U0ANNA> 2', { ok: false }],
    [cap, '<#C0SALES> <@U0ANNA> 5', { ok: true, value: { channel: 'C0SALES', user: 'U0ANNA', value: 5 } }],
    [
      cap,
      '<#C0SALES> <@U0ANNA> OFF',
      { ok: true, value: { channel: 'C0SALES', user: 'U0ANNA', value: null } },
    ],
    [cap, '<#C0SALES> <@U0ANNA> 2.5', { ok: false }],
    [
      parseAcceptance,
      '<#C0SALES> 15m',
      { ok: true, value: { channel: 'C0SALES', acceptance: { minutes: 15, maxHops: 2 } } },
    ],
    [
      parseAcceptance,
      '<#C0SALES> 1h hops 0',
      { ok: true, value: { channel: 'C0SALES', acceptance: { minutes: 60, maxHops: 0 } } },
    ],
    [parseAcceptance, '<#C0SALES> off', { ok: true, value: { channel: 'C0SALES', acceptance: null } }],
    [parseAcceptance, '<#C0SALES> 15m hops 11', { ok: false }],
    [parseAcceptance, '<#C0SALES> 15m 2', { ok: false }],
    [parseAcceptance, '<#C0SALES> soon', { ok: false }],
    [parseDurationOrOff, '30m', { ok: true, value: 30 }],
    [parseDurationOrOff, 'off', { ok: true, value: null }],
    [parseDurationOrOff, '30m 1h', { ok: false }],
    [parseStale, '7d', { ok: true, value: { minutes: 7 * 1440, channel: null } }],
    [parseStale, '90m <#C0SALES>', { ok: true, value: { minutes: 90, channel: 'C0SALES' } }],
    [parseStale, 'off <#C0SALES>', { ok: true, value: { minutes: null, channel: 'C0SALES' } }],
    [parseStale, '7d sales', { ok: false }],
    [parseStale, '', { ok: false }],
  ] as Array<[(args: string[]) => unknown, string, object]>)('%o(%j) → %j', (parse, text, expected) => {
    expect(parse(words(text))).toMatchObject(expected);
  });

  it('reads business hours for a channel', () => {
    expect(parseHours(words('<#C0SALES|sales> Mon-Fri 09:00-17:00 Europe/Berlin'))).toEqual({
      ok: true,
      value: {
        channel: 'C0SALES',
        hours: { days: [1, 2, 3, 4, 5], start: 540, end: 1020, timeZone: 'Europe/Berlin' },
      },
    });
  });
});
