import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryLogger } from '../src/logger.ts';
import { runsToSkip, startScheduler, withBackoff } from '../src/scheduler.ts';

describe('startScheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-05T10:00:00.500Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each job on its schedule and logs a failure with the job’s name', async () => {
    const log = createMemoryLogger();
    let runs = 0;
    const scheduler = startScheduler(
      [
        { name: 'counter', schedule: '* * * * * *', run: async () => ++runs },
        {
          name: 'broken',
          schedule: '* * * * * *',
          run: async () => Promise.reject(new Error('table service down')),
        },
      ],
      log,
    );
    await vi.advanceTimersByTimeAsync(3_000);
    await scheduler.stop();

    expect(runs).toBeGreaterThanOrEqual(2);
    const failures = log.lines.filter((line) => line.message === 'job failed');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures[0]?.fields).toMatchObject({
      job: 'broken',
      error: expect.objectContaining({ message: 'table service down' }),
    });
  });

  it('never overlaps two runs of the same job, and stop waits for the run in progress', async () => {
    const log = createMemoryLogger();
    let running = 0;
    let maxRunning = 0;
    let finished = 0;
    const scheduler = startScheduler(
      [
        {
          name: 'slow',
          schedule: '* * * * * *',
          run: async () => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            await new Promise((resolve) => setTimeout(resolve, 2_500));
            running -= 1;
            finished += 1;
          },
        },
      ],
      log,
    );
    await vi.advanceTimersByTimeAsync(4_000);
    const stopped = scheduler.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    await stopped;
    expect(maxRunning).toBe(1);
    expect(running).toBe(0);
    expect(finished).toBeGreaterThanOrEqual(1);
    // A tick skipped because the run is still going is expected, not a warning.
    expect(log.lines.filter((line) => /still running/.test(line.message)).length).toBeGreaterThan(0);
    expect(log.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });
});

describe('withBackoff', () => {
  it.each([
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 4],
    [5, 16],
    [9, 16],
  ])('after %i failures in a row, skips %i runs', (failures, skipped) => {
    expect(runsToSkip(failures)).toBe(skipped);
  });

  it('skips more runs after each failure, and every run again after a success', async () => {
    let healthy = false;
    let attempts = 0;
    const job = withBackoff(async () => {
      attempts += 1;
      if (!healthy) throw new Error('503 Server Busy');
      return 'ok';
    }, createMemoryLogger());
    const outcomes: string[] = [];
    for (let tick = 0; tick < 8; tick++) {
      if (tick === 6) healthy = true;
      outcomes.push(
        await job().then(
          (r) => (typeof r === 'string' ? r : 'skipped'),
          () => 'failed',
        ),
      );
    }
    // fail, skip 1, fail, skip 2, fail … then the service is back
    expect(outcomes).toEqual([
      'failed',
      'skipped',
      'failed',
      'skipped',
      'skipped',
      'failed',
      'skipped',
      'skipped',
    ]);
    expect(attempts).toBe(3);
    const later = [];
    for (let tick = 0; tick < 3; tick++)
      later.push(
        await job().then(
          (r) => (typeof r === 'string' ? r : 'skipped'),
          () => 'failed',
        ),
      );
    expect(later).toEqual(['skipped', 'skipped', 'ok']); // the third failure skipped four runs
  });
});
