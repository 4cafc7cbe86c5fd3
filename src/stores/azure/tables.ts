import { AzureSASCredential, RestError, TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { ServiceClock } from './service-clock.ts';

/**
 * How the bot reaches the storage account (docs/operations.md → Storage access): a connection string (account key
 * or SAS inside it), the account's table URL with a SAS token, or the URL with a Microsoft Entra ID
 * identity (managed identity in Azure, `az login` locally), which needs the Storage Table Data
 * Contributor role on the account.
 */
export type StorageAccess =
  | { readonly kind: 'connection-string'; readonly connectionString: string }
  | { readonly kind: 'sas'; readonly accountUrl: string; readonly sasToken: string }
  | { readonly kind: 'entra-id'; readonly accountUrl: string; readonly credential: TokenCredential };

/** How to reach the storage account, as configured: an Entra ID identity is found when it is opened. */
export type StorageSetting =
  | Exclude<StorageAccess, { kind: 'entra-id' }>
  | { readonly kind: 'entra-id'; readonly accountUrl: string };

/** A connection string, written as plain text, is the common case (tests, Azurite, account keys). */
export type StorageAccessOrConnectionString = StorageAccess | string;

/** Plain-HTTP endpoints (Azurite, the embedded default) are allowed explicitly; real accounts use HTTPS. */
const PLAIN_HTTP = /(TableEndpoint|BlobEndpoint)=http:|UseDevelopmentStorage=true|^http:/i;

/**
 * A client for one table of the storage account; with `serviceClock`, each answer's time also corrects
 * that clock (see service-clock.ts).
 */
export function createTableClient(
  access: StorageAccessOrConnectionString,
  tableName: string,
  serviceClock?: ServiceClock,
): TableClient {
  const resolved: StorageAccess =
    typeof access === 'string' ? { kind: 'connection-string', connectionString: access } : access;
  const additionalPolicies = serviceClock
    ? [{ policy: serviceClock.policy, position: 'perRetry' as const }]
    : [];
  switch (resolved.kind) {
    case 'connection-string':
      return TableClient.fromConnectionString(resolved.connectionString, tableName, {
        allowInsecureConnection: PLAIN_HTTP.test(resolved.connectionString),
        additionalPolicies,
      });
    case 'sas':
      return new TableClient(
        resolved.accountUrl,
        tableName,
        new AzureSASCredential(resolved.sasToken.replace(/^\?/, '')),
        { allowInsecureConnection: PLAIN_HTTP.test(resolved.accountUrl), additionalPolicies },
      );
    case 'entra-id':
      // Bearer tokens go over HTTPS only (the SDK refuses plain HTTP), so no insecure option here.
      return new TableClient(resolved.accountUrl, tableName, resolved.credential, { additionalPolicies });
  }
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

/**
 * Whether the table service can hold this PartitionKey or RowKey: at most 1,024 characters, none
 * of `/ \\ # ?` nor control characters. A key that fails it names nothing the bot ever stored (a forged
 * button value), and is answered as unknown without asking the service (which would refuse it with 400).
 */
export function isStorableKey(key: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  return key.length > 0 && key.length <= 1024 && !/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(key);
}

/** A property holds at most 64 KiB (32,768 UTF-16 units); long text is kept in parts of this many. */
const TEXT_PART = 30_000;

/**
 * Long text (a rules document, a rotation of hundreds of reps) as properties of one entity: `name`,
 * `name_1`, `name_2` … and `nameParts` (absent on entities written before, which have one part). An
 * entity holds 1 MiB in all, which callers bound their text to (see the rules document's limit).
 */
export function textProperties(name: string, text: string): Record<string, string | number> {
  const parts: Record<string, string | number> = {};
  const count = Math.max(1, Math.ceil(text.length / TEXT_PART));
  for (let index = 0; index < count; index++)
    parts[index === 0 ? name : `${name}_${index}`] = text.slice(index * TEXT_PART, (index + 1) * TEXT_PART);
  parts[`${name}Parts`] = count;
  return parts;
}

/** The text `textProperties` wrote (parts past `nameParts`, left by a longer text before, are ignored). */
export function readTextProperty(entity: object, name: string): string {
  const record = entity as Record<string, unknown>;
  const count = typeof record[`${name}Parts`] === 'number' ? (record[`${name}Parts`] as number) : 1;
  let text = '';
  for (let index = 0; index < count; index++) {
    const part = record[index === 0 ? name : `${name}_${index}`];
    text += typeof part === 'string' ? part : '';
  }
  return text;
}
