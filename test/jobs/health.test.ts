import { describe, expect, it } from 'vitest';
import { createHealth } from '../../src/jobs/health.ts';
import { withoutEndpoints } from '../../src/stores/failure.ts';

describe('health: what /healthz tells anyone who asks', () => {
  it.each([
    ['connect ECONNREFUSED 127.0.0.1:10002', 'connect ECONNREFUSED <endpoint>'],
    ['connect ECONNREFUSED [::1]:10002', 'connect ECONNREFUSED <endpoint>'],
    ['getaddrinfo ENOTFOUND contosoleads.table.core.windows.net', 'getaddrinfo ENOTFOUND <endpoint>'],
    [
      'request to https://contosoleads.table.core.windows.net/Tables failed, reason: socket hang up',
      'request to <endpoint> failed, reason: socket hang up',
    ],
    ['connect ETIMEDOUT contosoleads.table.core.windows.net:443', 'connect ETIMEDOUT <endpoint>'],
    [
      'the table service answered 403 AuthorizationPermissionMismatch: This request is not authorized.',
      'the table service answered 403 AuthorizationPermissionMismatch: This request is not authorized.',
    ],
  ])('keeps the reason of %j and drops its endpoint', (error, shown) => {
    expect(withoutEndpoints(error)).toBe(shown);
    const health = createHealth('http', 'MarketplaceLeads');
    health.markReady();
    health.recordPoll(new Date(), { error });
    const report = JSON.stringify(health.report());
    expect(report).toContain(shown.replaceAll('"', '\\"'));
    expect(report).not.toContain('10002');
    expect(report).not.toContain('contosoleads');
  });

  it('follows what a standby itself reaches: a lease answer clears the storage failure it saw', () => {
    const health = createHealth('http', 'MarketplaceLeads');
    health.markReady();
    health.recordPoll(new Date(), { error: 'connect ECONNREFUSED 127.0.0.1:1' });
    expect(health.report().ready).toBe(false);
    health.setLeader(false);
    expect(health.report()).toMatchObject({ ready: true, problems: [] });
  });
});
