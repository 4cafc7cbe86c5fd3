import type { PollSummary } from './poll-leads.ts';

/** What /healthz reports. Holds no secret: only names, times and counts. */
export interface HealthReport {
  readonly status: 'starting' | 'ok' | 'degraded';
  readonly mode: 'http' | 'socket' | 'local';
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
  readonly lastPoll: {
    readonly at: string;
    readonly ok: boolean;
    readonly summary: PollSummary | null;
    readonly error: string | null;
  } | null;
}

/** The bot's health as the poller last saw it. Kept per process: each process answers for itself. */
export interface Health {
  markReady(): void;
  setLeader(leader: boolean): void;
  setPartitionFormatDrift(): void;
  recordPoll(at: Date, outcome: { summary: PollSummary } | { error: string }): void;
  report(): HealthReport;
}

export function createHealth(mode: HealthReport['mode'], leadTable: string): Health {
  let ready = false;
  let lastPoll: HealthReport['lastPoll'] = null;
  let found: boolean | null = null;
  let leader: boolean | null = null;
  let drift = false;
  return {
    markReady() {
      ready = true;
    },
    setLeader(value) {
      leader = value;
    },
    setPartitionFormatDrift() {
      drift = true;
    },
    recordPoll(at, outcome) {
      if ('summary' in outcome) {
        found = outcome.summary.tableFound;
        lastPoll = { at: at.toISOString(), ok: true, summary: outcome.summary, error: null };
      } else {
        lastPoll = { at: at.toISOString(), ok: false, summary: null, error: outcome.error };
      }
    },
    report() {
      const blocked = (lastPoll?.summary?.blocked.length ?? 0) > 0;
      const setAside = lastPoll?.summary?.setAside ?? 0;
      const status = !ready
        ? 'starting'
        : drift || (lastPoll !== null && (!lastPoll.ok || blocked || setAside > 0))
          ? 'degraded'
          : 'ok';
      const note =
        found === false
          ? 'The table does not exist yet: Microsoft creates it with the first lead. Press Validate in Partner Center to send a test lead.'
          : undefined;
      return {
        status,
        mode,
        leader,
        leadTable: { name: leadTable, found, ...(note ? { note } : {}) },
        quarantinedLeads: setAside,
        partitionFormatDrift: drift,
        lastPoll,
      };
    },
  };
}
