/** One admin action (or refused attempt), for the record. */
export interface AuditEntry {
  readonly at: Date;
  readonly by: string;
  /** The command as typed, e.g. `sla Create 4h`. */
  readonly command: string;
  /** False for a refused attempt (not an admin). */
  readonly allowed: boolean;
  /** Before and after, as text; null when the action changed nothing. */
  readonly before: string | null;
  readonly after: string | null;
}
