import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createChannelPacer } from '../../src/slack/web-api-gateway.ts';

describe('createChannelPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A post that takes `ms` and records when it started and finished. */
  const posts: Array<{ channel: string; start: number; end: number }> = [];
  const post = (channel: string, ms: number) => async () => {
    const start = Date.now();
    await new Promise((resolve) => setTimeout(resolve, ms));
    posts.push({ channel, start, end: Date.now() });
  };

  it('runs posts to one channel one at a time, each an interval after the previous one finished', async () => {
    posts.length = 0;
    const pace = createChannelPacer(1000);
    const all = Promise.all([
      pace('C1', post('C1', 50)),
      pace('C1', post('C1', 50)),
      pace('C2', post('C2', 50)),
      pace('C1', post('C1', 50)),
    ]);
    await vi.advanceTimersByTimeAsync(10_000);
    await all;
    expect(posts).toEqual([
      { channel: 'C1', start: 0, end: 50 },
      { channel: 'C2', start: 0, end: 50 },
      { channel: 'C1', start: 1050, end: 1100 },
      { channel: 'C1', start: 2100, end: 2150 },
    ]);
  });

  it('spaces posts that one caller makes one after the other (a lane draining a backlog)', async () => {
    posts.length = 0;
    const pace = createChannelPacer(1000);
    const lane = (async () => {
      for (let i = 0; i < 3; i++) await pace('C1', post('C1', 50));
    })();
    await vi.advanceTimersByTimeAsync(10_000);
    await lane;
    expect(posts.map((p) => p.start)).toEqual([0, 1050, 2100]);
  });

  it('does not wait when the previous post finished longer ago than the interval', async () => {
    posts.length = 0;
    const pace = createChannelPacer(1000);
    await pace('C1', async () => undefined);
    vi.setSystemTime(1500);
    const startedAt = await pace('C1', async () => Date.now());
    expect(startedAt).toBe(1500);
  });

  it('passes a failure through and still releases the channel', async () => {
    const pace = createChannelPacer(1000);
    await expect(pace('C1', async () => Promise.reject(new Error('channel_not_found')))).rejects.toThrow(
      'channel_not_found',
    );
    const next = pace('C1', async () => 'ok');
    await vi.advanceTimersByTimeAsync(1000);
    expect(await next).toBe('ok');
  });

  it('is off with an interval of 0', async () => {
    const pace = createChannelPacer(0);
    await Promise.all([pace('C1', async () => 1), pace('C1', async () => 2)]);
    expect(Date.now()).toBe(0);
  });
});
