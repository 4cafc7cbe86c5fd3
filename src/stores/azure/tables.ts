import { RestError, TableClient } from '@azure/data-tables';

/**
 * A client for one table of the storage account. Plain-HTTP endpoints (Azurite, the embedded default)
 * are allowed explicitly; real accounts use HTTPS.
 */
export function createTableClient(connectionString: string, tableName: string): TableClient {
  const allowInsecureConnection = /(TableEndpoint|BlobEndpoint)=http:|UseDevelopmentStorage=true/i.test(
    connectionString,
  );
  return TableClient.fromConnectionString(connectionString, tableName, { allowInsecureConnection });
}

/** The HTTP status of a table-service failure, or null for anything that is not one. */
export function statusOf(error: unknown): number | null {
  return error instanceof RestError && typeof error.statusCode === 'number' ? error.statusCode : null;
}

/** Runs `write` and reports a 409 (entity exists) or 412 (ETag changed) as a value; rethrows the rest. */
export async function conditionally<T>(
  write: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; status: 409 | 412 }> {
  try {
    return { ok: true, value: await write() };
  } catch (error) {
    const status = statusOf(error);
    if (status === 409 || status === 412) return { ok: false, status };
    throw error;
  }
}

/** Reads one entity; null only when the table service answers 404 (no such entity or table). */
export async function getOrNull<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<(T & { etag: string }) | null> {
  try {
    return (await client.getEntity<T>(partitionKey, rowKey)) as T & { etag: string };
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Dates come back as Date objects from typed columns, and as ISO text from system properties. */
export function dateOf(value: unknown): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && value !== '') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

/**
 * Read-modify-write of one entity, guarded by its ETag and retried when another process changed it
 * first. `change` returns the properties to merge, or null when nothing needs writing.
 */
export async function updateGuarded<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
  change: (current: T & { etag: string }) => Partial<T> | null,
): Promise<T & { etag: string }> {
  for (;;) {
    const current = await client.getEntity<T>(partitionKey, rowKey);
    const entity = current as T & { etag: string };
    const patch = change(entity);
    if (patch === null) return entity;
    const written = await conditionally(() =>
      client.updateEntity({ partitionKey, rowKey, ...patch }, 'Merge', { etag: entity.etag }),
    );
    if (written.ok) return { ...entity, ...patch, etag: written.value.etag ?? '' };
  }
}

/** Creates the table unless it exists. */
export async function ensureTable(client: TableClient): Promise<void> {
  await client.createTable();
}
