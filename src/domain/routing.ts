import type { Lead } from './lead.ts';

/** The lead properties a routing rule can match on. */
export const RULE_FIELDS = ['offer', 'publisher', 'source', 'action', 'country'] as const;
export type RuleField = (typeof RULE_FIELDS)[number];

/** One routing rule: every field it names must match (`*` is a wildcard, letter case is ignored). */
export interface RoutingRule {
  readonly match: Readonly<Partial<Record<RuleField, string>>>;
  readonly channel: string;
}

export interface Route {
  readonly channel: string;
  /** 1-based position of the rule that matched; null for the default channel. */
  readonly rule: number | null;
}

// Microsoft writes the country as US or USA (and the like): both spellings match either pattern.
const COUNTRY_ALIASES: Readonly<Record<string, string>> = {
  usa: 'us',
  gbr: 'gb',
  uk: 'gb',
  deu: 'de',
  fra: 'fr',
};
const canonicalCountry = (country: string) => COUNTRY_ALIASES[country.toLowerCase()] ?? country.toLowerCase();

/** Longest rule pattern accepted (by /leads route and rules documents): real patterns are a few words. */
export const MAX_PATTERN_LENGTH = 200;

/**
 * True when `pattern` (with `*` wildcards) matches the whole of `value`, ignoring letter case. No
 * regular expression, so no backtracking: the literal parts between stars are found left to right, each
 * at its first place after the previous one (the first must start the value, the last must end it),
 * which is linear in the value for any pattern (runs of stars are one star).
 */
export function matchesPattern(pattern: string, value: string | null): boolean {
  if (value === null) return false;
  const text = value.trim().toLowerCase();
  const parts = pattern.trim().toLowerCase().split('*');
  if (parts.length === 1) return text === parts[0];
  const first = parts[0] ?? '';
  const last = parts.at(-1) ?? '';
  if (first.length + last.length > text.length || !text.startsWith(first) || !text.endsWith(last))
    return false;
  let position = first.length;
  const end = text.length - last.length;
  for (const part of parts.slice(1, -1)) {
    if (part === '') continue;
    const found = text.indexOf(part, position);
    if (found === -1 || found + part.length > end) return false;
    position = found + part.length;
  }
  return true;
}

/** The values of a lead a rule field is compared with; the field matches when any of them does. */
function valuesOf(field: RuleField, lead: Lead): Array<string | null> {
  switch (field) {
    case 'offer':
      return [lead.productId, lead.offerKey, lead.offerName];
    case 'publisher':
      return [lead.publisher];
    case 'source':
      // AppSource is written SPZA in LeadSource: both names match.
      return lead.channel === 'AppSource' ? ['AppSource', 'SPZA'] : [lead.channel];
    case 'action':
      return [lead.actionCode, lead.action];
    case 'country':
      return [lead.customer.country === null ? null : canonicalCountry(lead.customer.country)];
  }
}

/** The first condition of `rule` the values fail, or null when every condition matches. */
function firstFailedCondition(
  rule: RoutingRule,
  values: (field: RuleField) => ReadonlyArray<string | null>,
): { readonly field: RuleField; readonly pattern: string } | null {
  for (const [field, pattern] of Object.entries(rule.match) as Array<[RuleField, string]>) {
    const wanted = field === 'country' ? canonicalCountry(pattern) : pattern;
    if (!values(field).some((value) => matchesPattern(wanted, value))) return { field, pattern };
  }
  return null;
}

export function ruleMatches(rule: RoutingRule, lead: Lead): boolean {
  return firstFailedCondition(rule, (field) => valuesOf(field, lead)) === null;
}

/** What `/leads route test` is given: the values a lead would carry, by rule field. */
export type RouteSample = Readonly<Partial<Record<RuleField, string>>>;

/** How one rule judged a sample: matched, or the first condition that failed. */
export interface RuleVerdict {
  readonly rule: number;
  readonly failed: { readonly field: RuleField; readonly pattern: string } | null;
}

/**
 * The route a lead with the sample's values would take, and why: each rule's verdict up to the one
 * that matched (the rest are never looked at). Judged exactly as routeLead judges a lead.
 */
export function testRoute(
  rules: readonly RoutingRule[],
  sample: RouteSample,
  defaultChannel: string,
): { readonly route: Route; readonly verdicts: readonly RuleVerdict[] } {
  const values = (field: RuleField): ReadonlyArray<string | null> => {
    const value = sample[field] ?? null;
    if (value === null) return [null];
    if (field === 'source' && ['appsource', 'spza'].includes(value.toLowerCase()))
      return ['AppSource', 'SPZA'];
    return [field === 'country' ? canonicalCountry(value) : value];
  };
  const verdicts: RuleVerdict[] = [];
  for (const [index, rule] of rules.entries()) {
    const failed = firstFailedCondition(rule, values);
    verdicts.push({ rule: index + 1, failed });
    if (failed === null) return { route: { channel: rule.channel, rule: index + 1 }, verdicts };
  }
  return { route: { channel: defaultChannel, rule: null }, verdicts };
}

/** The first matching rule picks the channel; with none, the default channel. */
export function routeLead(rules: readonly RoutingRule[], lead: Lead, defaultChannel: string): Route {
  const index = rules.findIndex((rule) => ruleMatches(rule, lead));
  const rule = rules[index];
  return rule ? { channel: rule.channel, rule: index + 1 } : { channel: defaultChannel, rule: null };
}
