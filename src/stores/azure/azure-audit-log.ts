import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { AuditEntry } from '../../domain/audit.ts';
import { type AuditLog, auditedText } from '../audit-log.ts';
import { dateOf, readTextProperty, textProperties } from './tables.ts';

interface AuditEntity {
  at: Date;
  by: string;
  command: string;
  allowed: boolean;
  /** In parts (`textProperties`): an import's before and after can pass one property's 64 KiB. */
  before: string;
  after: string;
}

const PARTITION = 'audit';
// Row keys count down with time, so the service returns the newest entries first.
const rowKeyOf = (at: Date) =>
  `${String(8_640_000_000_000_000 - at.getTime()).padStart(16, '0')}-${randomBytes(3).toString('hex')}`;

export function createAzureAuditLog(client: TableClient): AuditLog {
  return {
    async record(entry) {
      await client.createEntity({
        partitionKey: PARTITION,
        rowKey: rowKeyOf(entry.at),
        ...entry,
        ...textProperties('before', auditedText(entry.before)),
        ...textProperties('after', auditedText(entry.after)),
      });
    },
    async latest(limit) {
      const entries: AuditEntry[] = [];
      for await (const entity of client.listEntities<AuditEntity>()) {
        entries.push({
          at: dateOf(entity.at) ?? new Date(0),
          by: entity.by,
          command: entity.command,
          allowed: entity.allowed,
          before: readTextProperty(entity, 'before') || null,
          after: readTextProperty(entity, 'after') || null,
        });
        if (entries.length >= limit) break;
      }
      return entries;
    },
  };
}
