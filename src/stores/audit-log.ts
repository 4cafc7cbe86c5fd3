import type { AuditEntry } from '../domain/audit.ts';

/**
 * Each of before and after is kept up to this many characters (a rules import of 500 long routes is
 * more), so one entry stays well within a table entity's 1 MiB; a longer one is cut with a visible marker.
 */
export const MAX_AUDITED_TEXT = 100_000;

/** A before or after as the log keeps it ('' for none). */
export function auditedText(text: string | null): string {
  return text === null || text.length <= MAX_AUDITED_TEXT
    ? (text ?? '')
    : `${text.slice(0, MAX_AUDITED_TEXT)}… (cut)`;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** The latest entries, newest first. */
  latest(limit: number): Promise<readonly AuditEntry[]>;
}
