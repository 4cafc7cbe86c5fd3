import { describe, expect, it } from 'vitest';
import type { OwnershipEvent } from '../../src/domain/ownership.ts';
import { type AuditLog, MAX_AUDITED_TEXT } from '../../src/stores/audit-log.ts';
import { createAzureAuditLog } from '../../src/stores/azure/azure-audit-log.ts';
import { createAzureOwnershipLog } from '../../src/stores/azure/azure-ownership-log.ts';
import { createMemoryAuditLog, createMemoryOwnershipLog } from '../../src/stores/memory/memory-logs.ts';
import type { OwnershipLog } from '../../src/stores/ownership-log.ts';
import { azureAndMemory } from '../support/azurite.ts';

// One contract for each log, run against the Azure adapter (Azurite) and the in-memory twin.

const at = new Date('2026-03-02T09:00:00Z');
const later = (minutes: number) => new Date(at.getTime() + minutes * 60_000);

describe.each(azureAndMemory<AuditLog>(createAzureAuditLog, createMemoryAuditLog))(
  'AuditLog contract: $name',
  ({ create }) => {
    it('lists the latest entries, newest first, at most the limit', async () => {
      const log = await create();
      for (const minutes of [1, 3, 2])
        await log.record({
          at: later(minutes),
          by: 'U0ADMIN01',
          command: `sla PLT ${minutes}h`,
          allowed: true,
          before: '1h',
          after: `${minutes}h`,
        });
      expect((await log.latest(10)).map((entry) => entry.command)).toEqual([
        'sla PLT 3h',
        'sla PLT 2h',
        'sla PLT 1h',
      ]);
      expect(await log.latest(1)).toEqual([
        { at: later(3), by: 'U0ADMIN01', command: 'sla PLT 3h', allowed: true, before: '1h', after: '3h' },
      ]);
    });

    it('keeps a refused attempt without before and after, and cuts a huge import with a visible marker', async () => {
      const log = await create();
      await log.record({ at, by: 'U0REP', command: 'sla PLT 1m', allowed: false, before: null, after: null });
      const huge = 'x'.repeat(MAX_AUDITED_TEXT + 5_000);
      await log.record({
        at: later(1),
        by: 'U0ADMIN01',
        command: 'rules import',
        allowed: true,
        before: '',
        after: huge,
      });
      const [imported, refused] = await log.latest(10);
      expect(refused).toMatchObject({ allowed: false, before: null, after: null });
      expect(imported?.before).toBeNull();
      expect(imported?.after).toBe(`${'x'.repeat(MAX_AUDITED_TEXT)}… (cut)`);
    });
  },
);

describe.each(azureAndMemory<OwnershipLog>(createAzureOwnershipLog, createMemoryOwnershipLog))(
  'OwnershipLog contract: $name',
  ({ create }) => {
    const event = (
      conversationId: string,
      minutes: number,
      extra: Partial<OwnershipEvent> = {},
    ): OwnershipEvent => ({
      conversationId,
      kind: 'claim',
      by: 'U0ANNA',
      from: null,
      to: 'U0ANNA',
      at: later(minutes),
      ...extra,
    });

    it("lists a conversation's changes oldest first, and every change since a moment", async () => {
      const log = await create();
      await log.record(event('c1', 5, { kind: 'handover', from: 'U0ANNA', to: 'U0BEN' }));
      await log.record(event('c1', 1));
      await log.record(event('c2', 3));
      expect((await log.list('c1')).map((e) => e.at)).toEqual([later(1), later(5)]);
      expect(await log.list('c3')).toEqual([]);
      expect((await log.listSince(later(3))).map((e) => `${e.conversationId}@${e.at.getTime()}`)).toEqual([
        `c2@${later(3).getTime()}`,
        `c1@${later(5).getTime()}`,
      ]);
    });

    it("keeps a rotation's details: whom it skipped and why (an away rep's return as a time), why it passed, the time to accept", async () => {
      const log = await create();
      const assigned = event('c1', 1, {
        kind: 'assign',
        by: 'rotation',
        skipped: [
          { userId: 'U0CARL', reason: { kind: 'away', until: later(600) } },
          { userId: 'U0DAN', reason: { kind: 'full', open: 5, cap: 5 } },
        ],
        acceptWithinMinutes: 15,
      });
      const passed = event('c1', 20, {
        kind: 'pass',
        by: 'rotation',
        from: 'U0ANNA',
        to: 'U0BEN',
        reason: { kind: 'notAccepted', minutes: 15 },
      });
      await log.record(assigned);
      await log.record(passed);
      expect(await log.list('c1')).toEqual([assigned, passed]);
    });
  },
);
