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
  /** JSON of the rotation's details (skipped reps, why it passed, the accept window); absent when none. */
  details?: string;
}

type Details = Pick<OwnershipEvent, 'skipped' | 'reason' | 'acceptWithinMinutes'>;

function toEvent(entity: EventEntity & { partitionKey?: string }): OwnershipEvent {
  const details = entity.details ? (JSON.parse(entity.details) as Details) : {};
  return {
    conversationId: entity.partitionKey ?? '',
    kind: entity.kind,
    by: entity.by,
    from: entity.from || null,
    to: entity.to || null,
    at: dateOf(entity.at) ?? new Date(0),
    ...(details.skipped
      ? {
          skipped: details.skipped.map((skip) =>
            skip.reason.kind === 'away'
              ? { ...skip, reason: { ...skip.reason, until: new Date(skip.reason.until) } }
              : skip,
          ),
        }
      : {}),
    ...(details.reason ? { reason: details.reason } : {}),
    ...(details.acceptWithinMinutes ? { acceptWithinMinutes: details.acceptWithinMinutes } : {}),
  };
}

export function createAzureOwnershipLog(client: TableClient): OwnershipLog {
  const list = async (filter: string) => {
    const events: OwnershipEvent[] = [];
    for await (const entity of client.listEntities<EventEntity>({ queryOptions: { filter } }))
      events.push(toEvent(entity));
    return events.sort((a, b) => a.at.getTime() - b.at.getTime());
  };
  return {
    async record(event) {
      const { skipped, reason, acceptWithinMinutes } = event;
      const details: Details = {
        ...(skipped?.length ? { skipped } : {}),
        ...(reason ? { reason } : {}),
        ...(acceptWithinMinutes ? { acceptWithinMinutes } : {}),
      };
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
        ...(Object.keys(details).length > 0 ? { details: JSON.stringify(details) } : {}),
      });
    },
    list(conversationId) {
      return list(odata`PartitionKey eq ${conversationId}`);
    },
    listSince(since) {
      return list(odata`at ge ${since}`);
    },
  };
}
