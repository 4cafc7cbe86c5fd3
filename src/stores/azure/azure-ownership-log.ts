import { randomBytes } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import type { OwnershipEvent } from '../../domain/ownership.ts';
import type { OwnershipLog } from '../ownership-log.ts';
import { dateOf } from './tables.ts';

interface EventEntity {
  kind: OwnershipEvent['kind'];
  by: string;
  from: string;
  to: string;
  at: Date;
}

export function createAzureOwnershipLog(client: TableClient): OwnershipLog {
  return {
    async record(event) {
      // Row keys sort by time, with a random suffix so simultaneous events never collide.
      const rowKey = `${event.at.toISOString()}-${randomBytes(4).toString('hex')}`;
      await client.createEntity<EventEntity>({
        partitionKey: event.conversationId,
        rowKey,
        kind: event.kind,
        by: event.by,
        from: event.from ?? '',
        to: event.to ?? '',
        at: event.at,
      });
    },
    async list(conversationId) {
      const events: OwnershipEvent[] = [];
      const entities = client.listEntities<EventEntity>({
        queryOptions: { filter: odata`PartitionKey eq ${conversationId}` },
      });
      for await (const entity of entities) {
        events.push({
          conversationId,
          kind: entity.kind,
          by: entity.by,
          from: entity.from || null,
          to: entity.to || null,
          at: dateOf(entity.at) ?? new Date(0),
        });
      }
      return events;
    },
  };
}
