import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { Arrival } from '../../domain/arrival.ts';
import type { ArrivalIndex } from '../arrival-index.ts';
import { conditionally, dateOf, getOrNull } from './tables.ts';

interface ArrivalEntity {
  leadPartitionKey: string;
  leadRowKey: string;
  path: string;
  receivedAt: Date;
  /** JSON array of the offer's names. */
  offers: string;
  /** Absent on arrivals recorded before it was kept. */
  identity?: string;
}

const PARTITION = 'arrival';

// Keys hold e-mail addresses and newlines, which row keys may not: the row key is their hash.
const rowKeyOf = (key: string) => createHash('sha256').update(key).digest('hex');

function arrivalOf(entity: ArrivalEntity): Arrival {
  const offers: unknown = JSON.parse(entity.offers || '[]');
  return {
    leadId: { partitionKey: entity.leadPartitionKey, rowKey: entity.leadRowKey },
    path: entity.path === 'push' ? 'push' : 'table',
    receivedAt: dateOf(entity.receivedAt) ?? new Date(0),
    offers: Array.isArray(offers) ? offers.filter((o): o is string => typeof o === 'string') : [],
    identity: typeof entity.identity === 'string' ? entity.identity : null,
  };
}

/** In the bot's Leads table, partition `arrival`. */
export function createAzureArrivalIndex(client: TableClient): ArrivalIndex {
  return {
    async record(key, arrival, isSame) {
      const entity = {
        partitionKey: PARTITION,
        rowKey: rowKeyOf(key),
        leadPartitionKey: arrival.leadId.partitionKey,
        leadRowKey: arrival.leadId.rowKey,
        path: arrival.path,
        receivedAt: arrival.receivedAt,
        offers: JSON.stringify(arrival.offers),
        ...(arrival.identity === null ? {} : { identity: arrival.identity }),
      };
      for (;;) {
        const current = await getOrNull<ArrivalEntity>(client, PARTITION, entity.rowKey);
        if (current === null) {
          if ((await conditionally(() => client.createEntity(entity))).ok) return { kind: 'recorded' };
          continue; // recorded by another lead meanwhile: look at it
        }
        const existing = arrivalOf(current);
        const mine =
          existing.leadId.partitionKey === arrival.leadId.partitionKey &&
          existing.leadId.rowKey === arrival.leadId.rowKey;
        if (mine) return { kind: 'recorded' };
        if (isSame(existing)) return { kind: 'same', existing };
        const replaced = await conditionally(() =>
          client.updateEntity(entity, 'Replace', { etag: current.etag }),
        );
        if (replaced.ok) return { kind: 'recorded' };
      }
    },
  };
}
