import type { AdminChange } from '../../domain/admin-change.ts';
import { escapeMrkdwn } from '../../domain/mrkdwn.ts';
import type { Parsed } from '../../domain/parsed.ts';
import { AWAY_UNTIL_BACK, MAX_CAP, MAX_WEIGHT } from '../../domain/rotation.ts';
import {
  parseRulesDocument,
  RULES_DOCUMENT_EXAMPLE,
  rulesDocumentJson,
} from '../../domain/rules-document.ts';
import type { Logger } from '../../logger.ts';
import { type AdminDeps, AdminInputError, admin } from '../../services/admin-rules.ts';
import { admitAdmin, recordAdminChange } from '../../services/audit-admin-action.ts';
import type { Roles } from '../../services/roles.ts';
import {
  audienceOf,
  figuresFor,
  myOpenLeads,
  overdueLeads,
  type TeamViewDeps,
} from '../../services/team-views.ts';
import type { AuditLog } from '../../stores/audit-log.ts';
import type { CrmOutbox } from '../../stores/crm-outbox.ts';
import { describeFailure, failureField, withoutEndpoints } from '../../stores/failure.ts';
import type { LeadRecordStore } from '../../stores/lead-record-store.ts';
import type { PendingStore } from '../../stores/pending-store.ts';
import type { SettingsStore } from '../../stores/settings-store.ts';
import {
  type ChangeText,
  describeChange,
  describeFieldMap,
  describeOverview,
  describeRefusal,
  describeRouteTest,
  describeRules,
  describeSpeedTiers,
} from '../blocks/admin-changes.ts';
import {
  renderAudit,
  renderCommandReply,
  renderImportPreview,
  renderSetAsideLeads,
} from '../blocks/admin-replies.ts';
import { renderCommandError, renderHelp } from '../blocks/command-reply.ts';
import { truncate } from '../blocks/limits.ts';
import { renderFigures, renderLeadList } from '../blocks/team-views.ts';
import type { RenderedMessage } from '../blocks/types.ts';
import {
  parseAcceptance,
  parseActiveActions,
  parseAway,
  parseChannel,
  parseDurationOrOff,
  parseHours,
  parseMemberNumber,
  parseNothing,
  parseOnOff,
  parseOptionalUser,
  parsePage,
  parseRotation,
  parseRoute,
  parseRouteMove,
  parseRouteTest,
  parseRuleNumber,
  parseSla,
  parseStale,
  parseUser,
  parseWindow,
} from './parsers.ts';

export interface CommandDeps extends AdminDeps, TeamViewDeps {
  /** Where a command that failed unexpectedly is logged (its user is answered with the reason). */
  readonly log?: Logger;
  readonly settings: SettingsStore;
  readonly roles: Roles;
  readonly auditLog: AuditLog;
  readonly pending: PendingStore;
  /** For `/leads failed` and its Retry buttons. */
  readonly leadRecords: LeadRecordStore;
  /** The connected CRM's name and its refused writes (`/leads failed`); absent when none is connected. */
  readonly crm?: { readonly name: string; readonly outbox: Pick<CrmOutbox, 'listSetAside' | 'retry'> };
}

/** What running a subcommand produced: the private answer, and the change to audit, if any. */
export interface CommandResult {
  readonly message: RenderedMessage;
  readonly change?: ChangeText;
}

/** One `/leads` subcommand. `parse` is pure; `run` gets what it returned. */
export interface Subcommand {
  /** One or two words, e.g. `route` or `route move`; the longest name that matches wins. */
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly adminOnly: boolean;
  readonly handle: (args: readonly string[]) => Parsed<(actor: string) => Promise<CommandResult>>;
}

function command<T>(
  spec: Omit<Subcommand, 'handle'>,
  parse: (args: readonly string[]) => Parsed<T>,
  run: (value: T, actor: string) => Promise<CommandResult>,
): Subcommand {
  return {
    ...spec,
    handle: (args) => {
      const parsed = parse(args);
      return parsed.ok ? { ok: true, value: (actor) => run(parsed.value, actor) } : parsed;
    },
  };
}

const changed = (change: AdminChange): CommandResult => {
  const words = describeChange(change);
  return { message: renderCommandReply(words.summary), change: words };
};
const shown = (text: string): CommandResult => ({ message: renderCommandReply(text) });

function adminCommands(deps: CommandDeps): Subcommand[] {
  const a = (name: string, usage: string, summary: string) => ({ name, usage, summary, adminOnly: true });
  // `/leads sla claim` and its older name `/leads unclaimed` set the same claim SLA.
  const setClaimSla = async (minutes: number | null) => changed(await admin.setUnclaimed(deps, minutes));
  return [
    command(
      a('route move', '/leads route move 3 1', 'move routing rule 3 to position 1'),
      parseRouteMove,
      async ({ from, to }) => changed(await admin.moveRoute(deps, from, to)),
    ),
    command(
      a(
        'route crm-owner',
        '/leads route crm-owner on',
        "give a new lead to its customer's owner in the CRM, before the rotation (off: the rotation only)",
      ),
      parseOnOff,
      async (on) => {
        if (on && deps.crm === undefined)
          return shown(
            'No CRM is connected, so there is no CRM owner to route to. Connect one first (CRM=hubspot, salesforce or dataverse: see docs/crm.md).',
          );
        return changed(await admin.setCrmOwnerRouting(deps, on));
      },
    ),
    command(
      a(
        'route test',
        '/leads route test offer=contoso.lead-insights country=DE action=Create',
        'where a lead with these values would go, and who would get it (changes nothing)',
      ),
      parseRouteTest,
      async (sample) => shown(describeRouteTest(await admin.routeTest(deps, sample))),
    ),
    command(
      a(
        'route',
        '/leads route offer=contoso.* country=DE #sales-emea',
        'add a routing rule (first match wins)',
      ),
      parseRoute,
      async (rule) => changed(await admin.addRoute(deps, rule)),
    ),
    command(a('routes', '/leads routes', 'list the routing rules'), parseNothing, async () => {
      const { rules, leadsChannel } = await admin.routes(deps);
      return shown(describeRules(rules, leadsChannel));
    }),
    command(a('unroute', '/leads unroute 2', 'remove routing rule 2'), parseRuleNumber, async (number) =>
      changed(await admin.removeRoute(deps, number)),
    ),
    command(
      a('rotation pause', '/leads rotation pause @anna', 'skip a rep in every rotation (holiday)'),
      parseUser,
      async (user) => changed(await admin.setPaused(deps, user, true)),
    ),
    command(
      a('rotation resume', '/leads rotation resume @anna', 'put a paused rep back'),
      parseUser,
      async (user) => changed(await admin.setPaused(deps, user, false)),
    ),
    command(
      a(
        'rotation weight',
        '/leads rotation weight #sales @anna 2',
        'give a rep more turns (2: twice the leads)',
      ),
      (args) => parseMemberNumber(args, 'weight', { min: 1, max: MAX_WEIGHT }),
      async ({ channel, user, value }) =>
        changed(await admin.setMember(deps, channel, user, 'weight', value)),
    ),
    command(
      a(
        'rotation cap',
        '/leads rotation cap #sales @anna 5',
        'skip a rep while they own that many open leads (off: no cap)',
      ),
      (args) => parseMemberNumber(args, 'cap', { min: 1, max: MAX_CAP }),
      async ({ channel, user, value }) => changed(await admin.setMember(deps, channel, user, 'cap', value)),
    ),
    command(
      a(
        'rotation accept',
        '/leads rotation accept #sales 15m hops 2',
        'pass a lead on when its assignee does not accept it in time (off: never)',
      ),
      parseAcceptance,
      async ({ channel, acceptance }) => changed(await admin.setAcceptance(deps, channel, acceptance)),
    ),
    command(
      a(
        'stale',
        '/leads stale 7d #sales',
        'nudge the owner of a lead with no activity that long, escalate at twice it (off: never; no channel: all)',
      ),
      parseStale,
      async ({ minutes, channel }) => changed(await admin.setStale(deps, minutes, channel)),
    ),
    command(
      a(
        'unclaimed',
        '/leads unclaimed 30m',
        'the claim SLA, as /leads sla claim: announce a lead nobody claimed again, escalate at twice it (off: never)',
      ),
      parseDurationOrOff,
      setClaimSla,
    ),
    command(
      a('rotation', '/leads rotation #sales @anna @ben', "set a channel's rotation (no users: remove it)"),
      parseRotation,
      async ({ channel, users }) => changed(await admin.setRotation(deps, channel, users)),
    ),
    command(
      a(
        'sla claim',
        '/leads sla claim 5m',
        'the claim SLA: a lead nobody claimed in that time is announced again, and escalated at twice it (off: never)',
      ),
      parseDurationOrOff,
      setClaimSla,
    ),
    command(
      a('sla', '/leads sla PLT 1h', 'set the first-touch (follow-up) SLA of an action'),
      parseSla,
      async ({ action, minutes }) => changed(await admin.setSla(deps, action, minutes)),
    ),
    command(
      a('active', '/leads active Create,StartTestDrive', 'set the actions that are followed up'),
      parseActiveActions,
      async (actions) => changed(await admin.setActive(deps, actions)),
    ),
    command(
      a(
        'hours',
        '/leads hours #sales Mon-Fri 09:00-17:00 Europe/Berlin',
        "set a team's business hours (or: /leads hours #sales off)",
      ),
      parseHours,
      async ({ channel, hours }) => changed(await admin.setHours(deps, channel, hours)),
    ),
    command(
      a('escalation', '/leads escalation #sales-managers', 'where overdue leads are escalated'),
      parseChannel,
      async (channel) => changed(await admin.setEscalation(deps, channel)),
    ),
    command(a('admins add', '/leads admins add @anna', 'make someone an admin'), parseUser, async (user) =>
      changed(await admin.setAdmin(deps, user, true)),
    ),
    command(a('admins remove', '/leads admins remove @anna', 'remove an admin'), parseUser, async (user) =>
      changed(await admin.setAdmin(deps, user, false)),
    ),
    command(
      a('rules export', '/leads rules export', 'the routing rules and rotations as JSON'),
      parseNothing,
      async () =>
        shown(
          `\`\`\`${escapeMrkdwn(JSON.stringify(rulesDocumentJson(await admin.exportRules(deps)), null, 2))}\`\`\``,
        ),
    ),
    command(
      a(
        'rules import',
        `/leads rules import ${RULES_DOCUMENT_EXAMPLE.replace(/\s+/g, ' ')}`,
        'replace the routing rules and set rotations from JSON',
      ),
      (args) => {
        const parsed = parseRulesDocument(args.join(' '));
        return parsed.ok
          ? { ok: true, value: parsed.document }
          : { ok: false, problem: `The JSON was not imported: ${parsed.problems.join('; ')}.` };
      },
      // Nothing changes yet: the document waits for the Import button (see rules-import-actions).
      async (document, actor) => ({
        message: renderImportPreview(
          describeRules(document.routes, deps.defaults.leadsChannel) +
            (document.crm ? `\nCRM fields: ${describeFieldMap(document.crm.fieldMap)}` : '') +
            (document.sla ? `\nSpeed to lead: ${describeSpeedTiers(document.sla)}` : ''),
          await deps.pending.put(JSON.stringify(rulesDocumentJson(document)), actor, deps.clock()),
        ),
      }),
    ),
    command(a('rules', '/leads rules', 'everything admins set, in one view'), parseNothing, async () =>
      shown(describeOverview(await admin.overview(deps))),
    ),
    command(a('audit', '/leads audit', 'the latest admin actions'), parseNothing, async () => ({
      message: renderAudit(await deps.auditLog.latest(20)),
    })),
    command(
      a(
        'failed',
        '/leads failed',
        'leads set aside after repeated failures (or refused by the CRM), to retry',
      ),
      parseNothing,
      async () => ({
        message: renderSetAsideLeads(
          await deps.leadRecords.listQuarantined(),
          deps.crm ? { name: deps.crm.name, writes: await deps.crm.outbox.listSetAside() } : null,
        ),
      }),
    ),
  ];
}

function teamCommands(deps: CommandDeps): Subcommand[] {
  /** A rep sets their own availability; a manager or an admin anyone's. */
  const forWhom = async (user: string | null, actor: string): Promise<string> => {
    if (user === null || user === actor) return actor;
    if (!(await deps.roles.isManager(actor))) throw new AdminInputError({ kind: 'othersAvailability' });
    return user;
  };
  const everyone = (name: string, usage: string, summary: string) => ({
    name,
    usage,
    summary,
    adminOnly: false,
  });
  return [
    command(
      everyone('mine', '/leads mine', 'my open leads: stage, age, follow-up due or overdue'),
      parsePage,
      async (page, actor) => ({
        message: renderLeadList(
          'Your open leads',
          await myOpenLeads(actor, page, deps),
          deps.clock(),
          'You own no open leads.',
          `/leads mine ${page + 1}`,
        ),
      }),
    ),
    command(
      everyone(
        'overdue',
        '/leads overdue',
        'active leads past their follow-up SLA, oldest first (yours: of the channels you are in)',
      ),
      parsePage,
      async (page, actor) => {
        const audience = await audienceOf(actor, deps);
        const title =
          audience.kind === 'everyone'
            ? 'Overdue follow-ups'
            : 'Overdue follow-ups in the channels you are in';
        const list = await overdueLeads(page, deps, audience);
        const next = `/leads overdue ${page + 1}`;
        return { message: renderLeadList(title, list, deps.clock(), 'Nothing is overdue. 🎉', next) };
      },
    ),
    command(
      everyone(
        'away',
        '/leads away until 2026-12-07',
        'rotations skip you (a manager: @rep) until that day, or until /leads back',
      ),
      parseAway,
      async ({ user, until }, actor) => {
        const first = until === null ? AWAY_UNTIL_BACK : new Date(`${until}T00:00:00Z`);
        if (first <= deps.clock()) throw new AdminInputError({ kind: 'awayBegun', day: until ?? '' });
        return changed(await admin.setAway(deps, await forWhom(user, actor), first));
      },
    ),
    command(
      everyone('back', '/leads back', 'rotations give you (a manager: @rep) leads again'),
      parseOptionalUser,
      async (user, actor) => changed(await admin.setAway(deps, await forWhom(user, actor), null)),
    ),
    command(
      everyone(
        'stats',
        '/leads stats 30d',
        'speed to lead, SLA hit rate, leads by source and action, per rep',
      ),
      parseWindow,
      async (days, actor) => ({
        message: renderFigures(await figuresFor(days, deps, await audienceOf(actor, deps)), days),
      }),
    ),
  ];
}

export function leadsCommands(deps: CommandDeps): readonly Subcommand[] {
  const table: Subcommand[] = [];
  table.push(
    command(
      { name: 'help', usage: '/leads help', summary: 'list the commands', adminOnly: false },
      parseNothing,
      async () => ({
        message: renderHelp(table),
      }),
    ),
    ...teamCommands(deps),
    ...adminCommands(deps),
  );
  return table;
}

/** A command as typed is kept in the audit log up to this length (a rules import can be megabytes). */
const AUDITED_COMMAND_LENGTH = 1000;

/** Splits the text into words and finds the subcommand with the longest matching name. */
export function findSubcommand(
  table: readonly Subcommand[],
  text: string,
): { subcommand: Subcommand; args: string[] } | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) words.push('help');
  const byLength = [...table].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const subcommand of byLength) {
    const nameWords = subcommand.name.split(' ');
    if (nameWords.every((word, index) => words[index]?.toLowerCase() === word)) {
      return { subcommand, args: words.slice(nameWords.length) };
    }
  }
  return null;
}

export type Prepared =
  | { readonly kind: 'answer'; readonly message: RenderedMessage }
  | { readonly kind: 'run'; readonly run: () => Promise<RenderedMessage> };

/**
 * Reads a /leads command. An admin command checks the actor's rights before it reads its arguments
 * (a refusal is audited, whatever was typed); then a bad command gets what was wrong and an example,
 * and a good one runs. Other commands answer a bad one at once, in the acknowledgement.
 */
export function prepareCommand(
  table: readonly Subcommand[],
  text: string,
  actor: string,
  deps: CommandDeps,
): Prepared {
  const found = findSubcommand(table, text);
  if (found === null) {
    const word = text.trim().split(/\s+/)[0] ?? '';
    return { kind: 'answer', message: renderCommandError(`Unknown command "${word}".`, '/leads help') };
  }
  const { subcommand, args } = found;
  const who = { by: actor, command: truncate(text.trim(), AUDITED_COMMAND_LENGTH) };
  const run = async (): Promise<RenderedMessage> => {
    const handled = subcommand.handle(args);
    if (!handled.ok) return renderCommandError(handled.problem, subcommand.usage);
    try {
      const result = await handled.value(actor);
      // Every change is audited: the rules an admin sets, and who made a rep away or back.
      if (result.change) await recordAdminChange(who, result.change, deps);
      return result.message;
    } catch (error) {
      // A service's refusal is the bot's own text: its mentions (of checked ids) should show as mentions.
      if (error instanceof AdminInputError)
        return renderCommandError(describeRefusal(error.refusal), subcommand.usage, 'mrkdwn');
      // Anything else still gets an answer: its reason in one line, never a stack; the log has the rest.
      deps.log?.error('a /leads command failed', { command: subcommand.name, error: failureField(error) });
      return renderCommandReply(
        `⚠️ \`/leads ${subcommand.name}\` did not work: ${escapeMrkdwn(withoutEndpoints(describeFailure(error)))}. Try again in a minute; if it keeps failing, the bot's log says why.`,
      );
    }
  };
  if (!subcommand.adminOnly) {
    const handled = subcommand.handle(args);
    if (!handled.ok)
      return { kind: 'answer', message: renderCommandError(handled.problem, subcommand.usage) };
    return { kind: 'run', run };
  }
  return {
    kind: 'run',
    run: async () =>
      (await admitAdmin(who, deps))
        ? run()
        : renderCommandReply(
            `⛔ \`/leads ${subcommand.name}\` is for admins only. Ask an admin to run it, or to add you with \`/leads admins add\`.`,
          ),
  };
}
