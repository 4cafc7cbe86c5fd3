import type { AuditEntry } from '../domain/audit.ts';

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** The latest entries, newest first. */
  latest(limit: number): Promise<readonly AuditEntry[]>;
}
