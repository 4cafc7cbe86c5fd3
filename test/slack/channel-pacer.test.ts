import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChannelPacer } from '../../src/slack/web-api-gateway.ts';

describe('createChannelPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('spaces posts to one channel an interval apart, and lets other channels go at once', async () => {
    const pace = createChannelPacer(1000);
    const released: Array<[string, number]> = [];
    const post = (channel: string) => pace(channel).then(() => released.push([channel, Date.now()]));
    const all = Promise.all([post('C1'), post('C1'), post('C2'), post('C1')]);
    await vi.advanceTimersByTimeAsync(5000);
    await all;
    expect(released).toEqual([
      ['C1', 0],
      ['C2', 0],
      ['C1', 1000],
      ['C1', 2000],
    ]);
  });

  it('does not wait when posts are already further apart than the interval', async () => {
    const pace = createChannelPacer(1000);
    await pace('C1');
    vi.setSystemTime(1500);
    const before = Date.now();
    await pace('C1');
    expect(Date.now()).toBe(before);
  });

  it('is off with an interval of 0', async () => {
    const pace = createChannelPacer(0);
    await Promise.all([pace('C1'), pace('C1')]);
    expect(Date.now()).toBe(0);
  });
});
