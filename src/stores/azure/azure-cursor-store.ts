import type { TableClient } from '@azure/data-tables';
import type { CursorStore } from '../cursor-store.ts';
import { conditionally, dateOf, getOrNull, updateGuarded } from './tables.ts';

interface CursorEntity {
  since: Date;
  floor: Date;
}

const PARTITION = 'cursor';
// Table names are case-insensitive, so the key is too.
const rowKeyOf = (table: string) => table.toLowerCase();

export function createAzureCursorStore(client: TableClient): CursorStore {
  return {
    async get(table) {
      const entity = await getOrNull<CursorEntity>(client, PARTITION, rowKeyOf(table));
      if (entity === null) return null;
      const position = dateOf(entity.since) ?? new Date(0);
      return { position, floor: dateOf(entity.floor) ?? position };
    },
    async create(table, at) {
      const created = await conditionally(() =>
        client.createEntity<CursorEntity>({
          partitionKey: PARTITION,
          rowKey: rowKeyOf(table),
          since: at,
          floor: at,
        }),
      );
      return created.ok ? 'created' : 'exists';
    },
    async advance(table, to) {
      await updateGuarded<CursorEntity>(client, PARTITION, rowKeyOf(table), (current) => {
        const since = dateOf(current.since);
        return since !== null && since.getTime() >= to.getTime() ? null : { since: to };
      });
    },
  };
}
