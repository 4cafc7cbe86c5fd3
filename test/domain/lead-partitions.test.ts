import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isInExpectedPartition,
  leadPartitionKey,
  MAX_PARTITIONS_PER_POLL,
  partitionsToRead,
} from '../../src/domain/lead-partitions.ts';

const DAY = 24 * 60 * 60 * 1000;
const at = (iso: string) => new Date(iso);

describe('partitionsToRead', () => {
  it.each([
    [
      'a poll a minute behind',
      '2026-11-30T10:00:00Z',
      '2026-11-30T10:01:00Z',
      ['11:2F29:2F2026', '11:2F30:2F2026', '12:2F1:2F2026'],
    ],
    [
      'across midnight UTC',
      '2026-11-30T23:55:00Z',
      '2026-12-01T00:05:00Z',
      ['11:2F29:2F2026', '11:2F30:2F2026', '12:2F1:2F2026', '12:2F2:2F2026'],
    ],
    [
      'across the new year',
      '2026-12-31T23:59:00Z',
      '2026-12-31T23:59:30Z',
      ['12:2F30:2F2026', '12:2F31:2F2026', '1:2F1:2F2027'],
    ],
    [
      'a leap day',
      '2028-02-29T12:00:00Z',
      '2028-02-29T12:00:30Z',
      ['2:2F28:2F2028', '2:2F29:2F2028', '3:2F1:2F2028'],
    ],
  ])('%s', (_, since, now, keys) => {
    expect(partitionsToRead(at(since), at(now))).toEqual(keys);
  });

  it('reads a window of more dates than it may ask with one scan (null)', () => {
    expect(partitionsToRead(at('2026-11-01T00:00:00Z'), at('2026-11-30T00:00:00Z'))).toBeNull();
    expect(partitionsToRead(at('2026-11-23T00:00:00Z'), at('2026-11-30T00:00:00Z'))).toHaveLength(10); // the day before the 23rd to the day after the 30th
  });
});

describe('isInExpectedPartition', () => {
  it.each([
    ['11:2F30:2F2026', '2026-11-30T10:00:00Z', true],
    ['12:2F1:2F2026', '2026-11-30T23:00:00Z', true], // a zone ahead of UTC
    ['11:2F29:2F2026', '2026-11-30T01:00:00Z', true], // a zone behind UTC
    ['11:2F28:2F2026', '2026-11-30T10:00:00Z', false],
    ['2026-11-30', '2026-11-30T10:00:00Z', false], // another format: drift
  ])('%s at %s → %s', (partitionKey, timestamp, expected) => {
    expect(isInExpectedPartition({ partitionKey, timestamp: at(timestamp) })).toBe(expected);
  });
});

describe('the partition strategy reads the same leads as the Timestamp-only query', () => {
  it('for any table whose rows are in their date’s partitions, and any cursor', () => {
    const start = Date.UTC(2026, 0, 1);
    const row = fc.record({
      ms: fc.integer({ min: 0, max: 60 * DAY }),
      shift: fc.constantFrom(-DAY, 0, DAY), // Microsoft's date may be the UTC day before or after
      id: fc.uuid(),
    });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 60 }),
        fc.integer({ min: 0, max: 60 * DAY }),
        fc.integer({ min: 0, max: (MAX_PARTITIONS_PER_POLL - 3) * DAY }),
        (rows, sinceMs, spanMs) => {
          const since = new Date(start + sinceMs);
          const now = new Date(since.getTime() + spanMs);
          const table = rows
            .map((r) => ({
              id: r.id,
              timestamp: new Date(start + r.ms),
              partitionKey: leadPartitionKey(new Date(start + r.ms + r.shift)),
            }))
            .filter((r) => r.timestamp <= now); // rows the service has written by now
          const byScan = table.filter((r) => r.timestamp >= since).map((r) => r.id);
          const partitions = partitionsToRead(since, now);
          expect(partitions).not.toBeNull();
          const byPartitions = table
            .filter((r) => partitions?.includes(r.partitionKey) && r.timestamp >= since)
            .map((r) => r.id);
          expect(new Set(byPartitions)).toEqual(new Set(byScan));
        },
      ),
      { numRuns: 300 },
    );
  });
});
