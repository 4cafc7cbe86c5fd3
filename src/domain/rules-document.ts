import { MAX_PATTERN_LENGTH, type RoutingRule, RULE_FIELDS, type RuleField } from './routing.ts';

/** Routing rules and rotations as one JSON document: what `npm run rules` imports and exports. */
export interface RulesDocument {
  readonly routes: readonly RoutingRule[];
  /** Channel id → the reps of its rotation, in order. */
  readonly rotations: Readonly<Record<string, readonly string[]>>;
}

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

export const RULES_DOCUMENT_EXAMPLE = `{
  "routes": [
    { "match": { "offer": "contoso.*", "country": "DE" }, "channel": "C0EMEA0001" },
    { "match": { "action": "StartTestDrive" }, "channel": "C0TRIALS01" }
  ],
  "rotations": { "C0EMEA0001": ["U0ANNA0001", "U0BEN00001"] }
}`;

/** Checks a rules document; every problem is reported, with where it is. */
export function parseRulesDocument(
  text: string,
): { ok: true; document: RulesDocument } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return { ok: false, problems: ['the document must be a JSON object'] };
  const problems: string[] = [];
  const { routes = [], rotations = {} } = json as { routes?: unknown; rotations?: unknown };
  const parsedRoutes: RoutingRule[] = [];
  if (!Array.isArray(routes)) problems.push('"routes" must be a list');
  else {
    routes.forEach((route: unknown, index) => {
      const where = `routes[${index}]`;
      const { match, channel } = (route ?? {}) as { match?: unknown; channel?: unknown };
      if (typeof channel !== 'string' || !CHANNEL_ID.test(channel))
        problems.push(`${where}.channel must be a channel id like C0123456789`);
      if (typeof match !== 'object' || match === null || Array.isArray(match)) {
        problems.push(`${where}.match must be an object of ${RULE_FIELDS.join(', ')}`);
        return;
      }
      for (const [field, pattern] of Object.entries(match)) {
        if (!RULE_FIELDS.includes(field as RuleField))
          problems.push(`${where}.match.${field} is not one of ${RULE_FIELDS.join(', ')}`);
        else if (typeof pattern !== 'string' || pattern.trim() === '')
          problems.push(`${where}.match.${field} must be a non-empty text pattern`);
        else if (pattern.length > MAX_PATTERN_LENGTH)
          problems.push(`${where}.match.${field} is longer than ${MAX_PATTERN_LENGTH} characters`);
      }
      parsedRoutes.push({ match: match as RoutingRule['match'], channel: String(channel) });
    });
  }
  const parsedRotations: Record<string, string[]> = {};
  if (typeof rotations !== 'object' || rotations === null || Array.isArray(rotations))
    problems.push('"rotations" must be an object');
  else {
    for (const [channel, users] of Object.entries(rotations)) {
      if (!CHANNEL_ID.test(channel)) problems.push(`rotations: "${channel}" is not a channel id`);
      if (!Array.isArray(users) || users.some((user) => typeof user !== 'string' || !USER_ID.test(user))) {
        problems.push(`rotations.${channel} must be a list of user ids like U0123456789`);
      } else parsedRotations[channel] = users as string[];
    }
  }
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, document: { routes: parsedRoutes, rotations: parsedRotations } };
}
