// Microsoft's PartitionKey is the lead's date, `M/d/yyyy` with `/` written `:2F` (marketplace-leads.md).
// The real table service indexes only PartitionKey + RowKey: a Timestamp-only filter scans the whole
// table, while `PartitionKey eq '…' and Timestamp ge …` reads one partition. The time zone of that date
// is undocumented, so a lead's partition is taken to be its UTC date, the day before or the day after.

const DAY_MS = 24 * 60 * 60 * 1000;

/** PartitionKey as Microsoft writes it for a date (UTC): `11:2F30:2F2026`. */
export function leadPartitionKey(date: Date): string {
  return `${date.getUTCMonth() + 1}:2F${date.getUTCDate()}:2F${date.getUTCFullYear()}`;
}

/** A window longer than this is read with one Timestamp-only query: cheaper than this many partitions. */
export const MAX_PARTITIONS_PER_POLL = 16;

/**
 * The date partitions a poll of the rows written since `since` (up to `now`) asks, each separately:
 * every UTC date from the day before `since` to the day after `now` (normally three). Null when that is
 * more than MAX_PARTITIONS_PER_POLL (a first start's backfill, or a bot stopped for weeks).
 */
export function partitionsToRead(since: Date, now: Date): string[] | null {
  const first = Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()) - DAY_MS;
  const last = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
  if ((last - first) / DAY_MS + 1 > MAX_PARTITIONS_PER_POLL) return null;
  const keys: string[] = [];
  for (let day = first; day <= last; day += DAY_MS) keys.push(leadPartitionKey(new Date(day)));
  return keys;
}

/**
 * True when a row is where a partition poll looks for it: in its Timestamp's UTC date, the day before
 * or the day after. A row that is not shows that Microsoft's PartitionKey format drifted.
 */
export function isInExpectedPartition(row: {
  readonly partitionKey: string;
  readonly timestamp: Date;
}): boolean {
  const day = row.timestamp.getTime();
  return [day - DAY_MS, day, day + DAY_MS].some((at) => leadPartitionKey(new Date(at)) === row.partitionKey);
}
