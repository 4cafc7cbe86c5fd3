import { describe, expect, it } from 'vitest';
import { createServiceClock } from '../../src/stores/azure/service-clock.ts';

/** Sends one request through the clock's policy: the service answers `serviceDate` after `roundTripMs`. */
async function answer(
  clock: ReturnType<typeof createServiceClock>,
  local: { now: number },
  serviceDate: string | null,
  roundTripMs = 20,
) {
  const headers = new Map(serviceDate === null ? [] : [['date', serviceDate]]);
  await clock.policy.sendRequest({} as never, async () => {
    local.now += roundTripMs;
    return { headers: { get: (name: string) => headers.get(name) } } as never;
  });
}

describe('the table service clock', () => {
  it.each([
    // [host time at the request, the service's Date header, expected offset in ms (service − host)]
    ['2026-11-30T10:00:00.000Z', 'Mon, 30 Nov 2026 10:04:00 GMT', 240_490],
    ['2026-11-30T10:04:00.000Z', 'Mon, 30 Nov 2026 10:00:00 GMT', -239_510],
    ['2026-11-30T10:00:00.400Z', 'Mon, 30 Nov 2026 10:00:00 GMT', 90],
  ])('host at %s, service says %s: offset %d ms', async (host, header, offset) => {
    const local = { now: Date.parse(host) };
    const clock = createServiceClock(() => local.now);
    await answer(clock, local, header);
    expect(clock.offsetMs()).toBe(offset);
    expect(clock.now().getTime()).toBe(local.now + offset);
  });

  it('never goes backwards while the estimate settles', async () => {
    const local = { now: Date.parse('2026-11-30T10:00:00.900Z') };
    const clock = createServiceClock(() => local.now);
    await answer(clock, local, 'Mon, 30 Nov 2026 10:00:01 GMT'); // offset +590
    const before = clock.now().getTime();
    await answer(clock, local, 'Mon, 30 Nov 2026 10:00:00 GMT'); // a sample of -430: median moves down
    await answer(clock, local, 'Mon, 30 Nov 2026 10:00:00 GMT');
    expect(clock.offsetMs()).toBeLessThan(0);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(before);
  });

  it('keeps the local time until the service answered with a date', async () => {
    const local = { now: Date.parse('2026-11-30T10:00:00Z') };
    const clock = createServiceClock(() => local.now);
    await answer(clock, local, null);
    expect(clock.offsetMs()).toBe(0);
  });

  it('narrows to about one round trip as answers land at different points of the second', async () => {
    const trueOffset = 300_123; // the service runs 5 minutes and 123 ms ahead of the host
    const local = { now: Date.parse('2026-11-30T10:00:00Z') };
    const clock = createServiceClock(() => local.now);
    // The service writes its header at the middle of each 20-ms round trip.
    const headerAt = () => new Date(Math.floor((local.now + 10 + trueOffset) / 1000) * 1000).toUTCString();
    await answer(clock, local, headerAt());
    expect(Math.abs(clock.offsetMs() - trueOffset)).toBeLessThanOrEqual(500);
    for (let i = 0; i < 20; i += 1) {
      local.now += 137; // the next request, at another point of the second
      await answer(clock, local, headerAt());
    }
    expect(Math.abs(clock.offsetMs() - trueOffset)).toBeLessThanOrEqual(20);

    await answer(clock, local, 'Mon, 30 Nov 2026 09:00:00 GMT', 5_000); // a 5-second answer: ignored
    expect(Math.abs(clock.offsetMs() - trueOffset)).toBeLessThanOrEqual(20);
  });

  it('follows the host clock when it is stepped (answers contradict the earlier ones)', async () => {
    const local = { now: Date.parse('2026-11-30T10:00:00Z') };
    const clock = createServiceClock(() => local.now);
    await answer(clock, local, 'Mon, 30 Nov 2026 10:00:00 GMT');
    local.now -= 600_000; // NTP steps the host clock back 10 minutes; the service's time goes on
    await answer(clock, local, 'Mon, 30 Nov 2026 10:00:00 GMT');
    expect(Math.abs(clock.offsetMs() - 600_000)).toBeLessThanOrEqual(1_000);
  });
});
