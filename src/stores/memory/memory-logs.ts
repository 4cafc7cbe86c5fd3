import type { AuditEntry } from '../../domain/audit.ts';
import type { OwnershipEvent } from '../../domain/ownership.ts';
import { type AuditLog, auditedText } from '../audit-log.ts';
import type { OwnershipLog } from '../ownership-log.ts';

// The audit and ownership logs in this process's memory, for services' and jobs' unit tests: each
// keeps its Azure adapter's contract (test/stores/logs.contract.test.ts).

export function createMemoryAuditLog(): AuditLog {
  const entries: AuditEntry[] = [];
  return {
    async record(entry) {
      const kept = (text: string | null) => auditedText(text) || null;
      entries.push({ ...entry, before: kept(entry.before), after: kept(entry.after) });
    },
    async latest(limit) {
      return [...entries].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, limit);
    },
  };
}

export function createMemoryOwnershipLog(): OwnershipLog {
  const events: OwnershipEvent[] = [];
  const oldestFirst = (list: OwnershipEvent[]) => list.sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    async record(event) {
      events.push(event);
    },
    async list(conversationId) {
      return oldestFirst(events.filter((event) => event.conversationId === conversationId));
    },
    async listSince(since) {
      return oldestFirst(events.filter((event) => event.at.getTime() >= since.getTime()));
    },
  };
}
