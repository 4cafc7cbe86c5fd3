import { type CrmFieldMap, parseCrmFieldMap } from './crm-fields.ts';
import { type Acceptance, MAX_CAP, MAX_WEIGHT } from './rotation.ts';
import { MAX_PATTERN_LENGTH, type RoutingRule, RULE_FIELDS, type RuleField } from './routing.ts';
import { MAX_DURATION_MINUTES } from './sla.ts';
import { parseActionCode } from './sla-policy.ts';

/** A rep of a rotation as the document names them: a user id, with a weight and a cap when set. */
export interface RotationRep {
  readonly userId: string;
  readonly weight?: number;
  readonly cap?: number;
}

/** Routing rules and rotations as one JSON document: what `npm run rules` imports and exports. */
export interface RulesDocument {
  readonly routes: readonly RoutingRule[];
  /** Channel id → the reps of its rotation, in order. */
  readonly rotations: Readonly<Record<string, readonly RotationRep[]>>;
  /** Channel id → how long its assignees have to accept, and how many hops (absent: no acceptance). */
  readonly acceptance: Readonly<Record<string, Acceptance>>;
  /**
   * What the CRM hand-off writes besides its own fields; absent when the document does not say (an
   * import then keeps the field map in force).
   */
  readonly crm?: { readonly fieldMap: CrmFieldMap };
  /** The speed-to-lead tiers; absent when the document does not say (an import keeps those in force). */
  readonly sla?: SpeedTiers;
}

/** The tiers as the rules document writes them: the claim SLA, and the first-touch SLA per action. */
export interface SpeedTiers {
  /** Null: unclaimed leads are not announced again. */
  readonly claimMinutes: number | null;
  /** Action code → minutes; actions not named use the configured SLA. */
  readonly firstTouchMinutes: Readonly<Record<string, number>>;
}

/** `"U0ANNA"`, or `{ "user": "U0ANNA", "weight": 2, "cap": 5 }` when a weight or cap is set. */
function rotationRepJson(rep: RotationRep): string | { user: string; weight?: number; cap?: number } {
  if (rep.weight === undefined && rep.cap === undefined) return rep.userId;
  return {
    user: rep.userId,
    ...(rep.weight === undefined ? {} : { weight: rep.weight }),
    ...(rep.cap === undefined ? {} : { cap: rep.cap }),
  };
}

/** The document as JSON in the format parseRulesDocument reads (what export writes and import takes). */
export function rulesDocumentJson(document: RulesDocument): object {
  return {
    routes: document.routes,
    rotations: Object.fromEntries(
      Object.entries(document.rotations).map(([channel, reps]) => [channel, reps.map(rotationRepJson)]),
    ),
    ...(Object.keys(document.acceptance).length > 0
      ? {
          acceptance: Object.fromEntries(
            Object.entries(document.acceptance).map(([channel, { minutes, maxHops }]) => [
              channel,
              { minutes, hops: maxHops },
            ]),
          ),
        }
      : {}),
    ...(document.crm && Object.keys(document.crm.fieldMap).length > 0 ? { crm: document.crm } : {}),
    ...(document.sla ? { sla: document.sla } : {}),
  };
}

const SLA_EXAMPLE = '{ "claimMinutes": 5, "firstTouchMinutes": { "PLT": 60, "Create": 30 } }';

/** The document's `sla`, each problem named by its path; null when it has problems. */
function parseSpeedTiers(raw: unknown, problems: string[]): SpeedTiers | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`"sla" must be an object like ${SLA_EXAMPLE}`);
    return null;
  }
  const before = problems.length;
  const { claimMinutes = null, firstTouchMinutes = {}, ...other } = raw as Record<string, unknown>;
  for (const key of Object.keys(other))
    problems.push(`sla.${key} is not a speed-to-lead tier; they are claimMinutes and firstTouchMinutes`);
  if (claimMinutes !== null && !wholeIn(claimMinutes, 1, MAX_DURATION_MINUTES))
    problems.push(`sla.claimMinutes must be whole minutes from 1 to ${MAX_DURATION_MINUTES}, or null (off)`);
  const byAction: Record<string, number> = {};
  if (typeof firstTouchMinutes !== 'object' || firstTouchMinutes === null || Array.isArray(firstTouchMinutes))
    problems.push(`sla.firstTouchMinutes must be an object of action codes, like ${SLA_EXAMPLE}`);
  else
    for (const [name, minutes] of Object.entries(firstTouchMinutes)) {
      const action = parseActionCode(name);
      if (!action.ok) problems.push(`sla.firstTouchMinutes.${name}: ${action.problem}`);
      else if (action.value === 'DNC') problems.push('sla.firstTouchMinutes.DNC: DNC leads are never chased');
      else if (!wholeIn(minutes, 1, MAX_DURATION_MINUTES))
        problems.push(
          `sla.firstTouchMinutes.${name} must be whole minutes from 1 to ${MAX_DURATION_MINUTES}`,
        );
      else byAction[action.value] = minutes as number;
    }
  return problems.length > before
    ? null
    : { claimMinutes: claimMinutes as number | null, firstTouchMinutes: byAction };
}

const wholeIn = (value: unknown, min: number, max: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

function parseRep(raw: unknown, where: string, problems: string[]): RotationRep | null {
  if (typeof raw === 'string' && USER_ID.test(raw)) return { userId: raw };
  const { user, weight, cap } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<
    string,
    unknown
  >;
  if (typeof user !== 'string' || !USER_ID.test(user)) {
    problems.push(`${where} must be a user id like U0123456789, or { "user": …, "weight": 2, "cap": 5 }`);
    return null;
  }
  if (weight !== undefined && !wholeIn(weight, 1, MAX_WEIGHT))
    problems.push(`${where}.weight must be a whole number from 1 to ${MAX_WEIGHT}`);
  if (cap !== undefined && !wholeIn(cap, 1, MAX_CAP))
    problems.push(`${where}.cap must be a whole number from 1 to ${MAX_CAP}`);
  return {
    userId: user,
    ...(weight === undefined || weight === 1 ? {} : { weight: weight as number }),
    ...(cap === undefined ? {} : { cap: cap as number }),
  };
}

const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

export const RULES_DOCUMENT_EXAMPLE = `{
  "routes": [
    { "match": { "offer": "contoso.*", "country": "DE" }, "channel": "C0EMEA0001" },
    { "match": { "action": "StartTestDrive" }, "channel": "C0TRIALS01" }
  ],
  "rotations": { "C0EMEA0001": ["U0ANNA0001", { "user": "U0BEN00001", "weight": 2, "cap": 10 }] },
  "acceptance": { "C0EMEA0001": { "minutes": 15, "hops": 2 } },
  "crm": { "fieldMap": { "offer": "marketplace_offer", "action": "marketplace_action" } },
  "sla": { "claimMinutes": 5, "firstTouchMinutes": { "PLT": 60, "Create": 30 } }
}`;

/**
 * The largest rules document taken, in characters: what is stored (the preview awaiting Import, the
 * routing rules) stays well within one table entity's 1 MiB, whatever the document holds.
 */
export const MAX_RULES_DOCUMENT_LENGTH = 200_000;
/** The most routing rules, and reps in one rotation, a document may set. */
export const MAX_ROUTES = 500;
export const MAX_ROTATION_REPS = 1_000;

/** Checks a rules document; every problem is reported, with where it is. */
export function parseRulesDocument(
  text: string,
): { ok: true; document: RulesDocument } | { ok: false; problems: string[] } {
  if (text.length > MAX_RULES_DOCUMENT_LENGTH)
    return {
      ok: false,
      problems: [
        `the document is ${text.length} characters long; at most ${MAX_RULES_DOCUMENT_LENGTH} are taken`,
      ],
    };
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
  const {
    routes = [],
    rotations = {},
    acceptance = {},
    crm,
    sla,
  } = json as { routes?: unknown; rotations?: unknown; acceptance?: unknown; crm?: unknown; sla?: unknown };
  const parsedRoutes: RoutingRule[] = [];
  if (!Array.isArray(routes)) problems.push('"routes" must be a list');
  else if (routes.length > MAX_ROUTES)
    problems.push(`"routes" holds ${routes.length} rules; at most ${MAX_ROUTES} are taken`);
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
  const parsedRotations: Record<string, RotationRep[]> = {};
  if (typeof rotations !== 'object' || rotations === null || Array.isArray(rotations))
    problems.push('"rotations" must be an object');
  else {
    for (const [channel, reps] of Object.entries(rotations)) {
      if (!CHANNEL_ID.test(channel)) problems.push(`rotations: "${channel}" is not a channel id`);
      if (!Array.isArray(reps)) {
        problems.push(`rotations.${channel} must be a list of user ids like U0123456789`);
        continue;
      }
      if (reps.length > MAX_ROTATION_REPS) {
        problems.push(
          `rotations.${channel} holds ${reps.length} reps; at most ${MAX_ROTATION_REPS} are taken`,
        );
        continue;
      }
      const parsed = reps.map((rep: unknown, index) =>
        parseRep(rep, `rotations.${channel}[${index}]`, problems),
      );
      parsedRotations[channel] = parsed.filter((rep): rep is RotationRep => rep !== null);
    }
  }
  const parsedAcceptance: Record<string, Acceptance> = {};
  if (typeof acceptance !== 'object' || acceptance === null || Array.isArray(acceptance))
    problems.push('"acceptance" must be an object');
  else {
    for (const [channel, raw] of Object.entries(acceptance)) {
      const { minutes, hops } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<
        string,
        unknown
      >;
      // Own keys only: `constructor`, `toString` and `__proto__` are in every object, never a rotation.
      if (!Object.hasOwn(parsedRotations, channel))
        problems.push(`acceptance.${channel} names a channel without a rotation in this document`);
      else if (!wholeIn(minutes, 1, MAX_DURATION_MINUTES) || !wholeIn(hops, 0, 10))
        problems.push(
          `acceptance.${channel} must be like { "minutes": 15, "hops": 2 } (minutes 1 to ${MAX_DURATION_MINUTES}, hops 0 to 10)`,
        );
      else parsedAcceptance[channel] = { minutes: minutes as number, maxHops: hops as number };
    }
  }
  let parsedCrm: RulesDocument['crm'];
  if (crm !== undefined) {
    const { fieldMap = {}, ...other } = (typeof crm === 'object' && crm !== null ? crm : {}) as Record<
      string,
      unknown
    >;
    if (typeof crm !== 'object' || crm === null || Array.isArray(crm))
      problems.push('"crm" must be an object like { "fieldMap": { … } }');
    for (const key of Object.keys(other))
      problems.push(`crm.${key} is not a CRM setting; the one there is is fieldMap`);
    parsedCrm = { fieldMap: parseCrmFieldMap(fieldMap, 'crm.fieldMap', problems) };
  }
  const parsedSla = sla === undefined ? null : parseSpeedTiers(sla, problems);
  return problems.length > 0
    ? { ok: false, problems }
    : {
        ok: true,
        document: {
          routes: parsedRoutes,
          rotations: parsedRotations,
          acceptance: parsedAcceptance,
          ...(parsedCrm === undefined ? {} : { crm: parsedCrm }),
          ...(parsedSla === null ? {} : { sla: parsedSla }),
        },
      };
}
