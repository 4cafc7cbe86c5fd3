import { withoutEndpoints } from '../stores/failure.ts';
import type { PollSummary } from './poll-leads.ts';

/** What /healthz reports. Holds no secret: only names, times and counts. */
export interface HealthReport {
  readonly status: 'starting' | 'ok' | 'degraded';
  /**
   * Ready to serve (the readiness probe: /healthz answers 503 otherwise): started, the table service
   * answered this process's last poll or lease request (a standby asks for the lease at every tick), Slack
   * accepted the bot's token, and in Socket Mode the connection is up. A blocked channel or a set-aside lead
   * degrades the status but leaves the process ready.
   */
  readonly ready: boolean;
  /** Each failing part, named, with its reason. */
  readonly problems: readonly string[];
  readonly mode: 'http' | 'socket' | 'local';
  /** Socket Mode only: the state of the WebSocket Slack delivers over; null in the other modes. */
  readonly socketConnection: SocketConnectionState | null;
  /** Whether this process holds the jobs lease (runs the poll, reminders and digest); null before it tried. */
  readonly leader: boolean | null;
  readonly leadTable: { readonly name: string; readonly found: boolean | null; readonly note?: string };
  /** Leads set aside after repeated failures, waiting for an admin's Retry (`/leads failed`). */
  readonly quarantinedLeads: number;
  /**
   * The sweep found leads outside the date partitions the polls ask: Microsoft's PartitionKey format
   * drifted, so this process scans the table every poll (costly, nothing missed) until it restarts.
   */
  readonly partitionFormatDrift: boolean;
  /**
   * The table service's clock minus this host's, in seconds (to a second or so): the bot keeps the
   * service's time, so claims and leases mean the same to every process.
   */
  readonly clockOffsetSeconds: number;
  /** The CRM leads are handed to (null: none): the queue, the set-aside writes, and what it last said. */
  readonly crm: {
    readonly name: string;
    readonly backlog: number | null;
    readonly setAside: number | null;
    readonly problem: string | null;
  } | null;
  readonly lastPoll: {
    readonly at: string;
    readonly ok: boolean;
    readonly summary: PollSummary | null;
    readonly error: string | null;
  } | null;
}

export type SocketConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** The bot's health as the poller last saw it. Kept per process: each process answers for itself. */
export interface Health {
  markReady(): void;
  /**
   * The jobs lease answered (storage is reachable from here): whether this process leads. A standby
   * never polls, so its answer is what clears a storage failure it saw; a leader's poll says the rest.
   */
  setLeader(leader: boolean): void;
  setPartitionFormatDrift(): void;
  /** Slack's answer to the bot's token (auth.test): null when it was accepted, else the error code. */
  recordSlackAuth(error: string | null): void;
  /** Routed channels the bot is not a member of (an admin should invite it); empty when none. */
  recordChannelsWithoutBot(channels: readonly string[]): void;
  recordPoll(at: Date, outcome: { summary: PollSummary } | { error: string }): void;
  /** A CRM hand-off run: its queue and set-aside counts, and a problem an admin must fix (null: none). */
  recordCrm(outcome: { backlog: number; setAside: number; problem: string | null }): void;
  /** Socket Mode only: the WebSocket to Slack went up or down (the client reconnects by itself). */
  recordSocketConnection(state: SocketConnectionState): void;
  report(): HealthReport;
}

/** A host clock further than this from the table service's is reported (the bot uses the service's). */
const CLOCK_OFFSET_REPORTED_MS = 60_000;

export function createHealth(
  mode: HealthReport['mode'],
  leadTable: string,
  clockOffsetMs: () => number = () => 0,
  crmName: string | null = null,
): Health {
  let crm: HealthReport['crm'] =
    crmName === null ? null : { name: crmName, backlog: null, setAside: null, problem: null };
  let ready = false;
  let lastPoll: HealthReport['lastPoll'] = null;
  // What this process last saw of the table service, leader or standby: null while it answers.
  let storageProblem: string | null = null;
  let found: boolean | null = null;
  let leader: boolean | null = null;
  let drift = false;
  let slackAuthError: string | null = null;
  let channelsWithoutBot: readonly string[] = [];
  // Slack delivers nothing to a Socket Mode app whose connection is down: not ready until it is up.
  let socket: SocketConnectionState | null = mode === 'socket' ? 'connecting' : null;
  return {
    markReady() {
      ready = true;
    },
    setLeader(value) {
      leader = value;
      if (!value) storageProblem = null;
    },
    setPartitionFormatDrift() {
      drift = true;
    },
    recordSlackAuth(error) {
      slackAuthError = error;
    },
    recordChannelsWithoutBot(channels) {
      channelsWithoutBot = channels;
    },
    recordCrm(outcome) {
      if (crm !== null)
        crm = { ...crm, ...outcome, problem: outcome.problem && withoutEndpoints(outcome.problem) };
    },
    recordSocketConnection(state) {
      socket = state;
    },
    recordPoll(at, outcome) {
      if ('summary' in outcome) {
        found = outcome.summary.tableFound;
        lastPoll = { at: at.toISOString(), ok: true, summary: outcome.summary, error: null };
        storageProblem = null;
      } else {
        const error = withoutEndpoints(outcome.error);
        lastPoll = { at: at.toISOString(), ok: false, summary: null, error };
        storageProblem = `the last poll failed: ${error}`;
      }
    },
    report() {
      const offset = clockOffsetMs();
      const blocked = (lastPoll?.summary?.blocked.length ?? 0) > 0;
      const setAside = lastPoll?.summary?.setAside ?? 0;
      const note =
        found === false
          ? 'The table does not exist yet: Microsoft creates it with the first lead. Press Validate in Partner Center to send a test lead.'
          : undefined;
      const problems = [
        ...(storageProblem !== null ? [storageProblem] : []),
        ...(slackAuthError !== null ? [`Slack refused the bot token (auth.test: ${slackAuthError})`] : []),
        ...(socket !== null && socket !== 'connected'
          ? [`the Socket Mode connection to Slack is ${socket}: no events, commands or buttons arrive`]
          : []),
        ...(blocked ? ['Slack refuses a channel leads are routed to (see lastPoll.summary.blocked)'] : []),
        ...(setAside > 0 ? [`${setAside} lead(s) set aside after repeated failures (/leads failed)`] : []),
        ...(drift ? ['partition format drift: polls scan the whole table'] : []),
        ...(crm?.problem ? [`${crm.name}: ${crm.problem}`] : []),
        ...(crm?.setAside ? [`${crm.setAside} CRM write(s) refused and set aside (/leads failed)`] : []),
        ...(channelsWithoutBot.length > 0
          ? [
              `the bot is not a member of ${channelsWithoutBot.join(', ')}, where leads or escalations go: invite it there (/invite), or it cannot find its messages after a crash nor hear thread replies`,
            ]
          : []),
        ...(Math.abs(offset) > CLOCK_OFFSET_REPORTED_MS
          ? [
              `this host's clock is ${Math.round(Math.abs(offset) / 1000)} s ${offset < 0 ? 'ahead of' : 'behind'} the table service's: the bot keeps the service's time, but check NTP`,
            ]
          : []),
      ];
      const isReady =
        ready &&
        slackAuthError === null &&
        (socket === null || socket === 'connected') &&
        storageProblem === null;
      return {
        status: !ready ? 'starting' : problems.length > 0 ? 'degraded' : 'ok',
        ready: isReady,
        problems,
        mode,
        socketConnection: socket,
        leader,
        leadTable: { name: leadTable, found, ...(note ? { note } : {}) },
        quarantinedLeads: setAside,
        partitionFormatDrift: drift,
        clockOffsetSeconds: Math.round(offset / 100) / 10,
        crm,
        lastPoll,
      };
    },
  };
}
