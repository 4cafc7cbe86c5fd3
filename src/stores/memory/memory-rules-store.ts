import type { CrmFieldMap } from '../../domain/crm-fields.ts';
import type { Acceptance, Rotation, RotationMember } from '../../domain/rotation.ts';
import type { RoutingRule } from '../../domain/routing.ts';
import type { RulesStore } from '../rules-store.ts';

interface StoredRotation {
  readonly members: readonly RotationMember[];
  readonly next: number;
  readonly acceptance: Acceptance | null;
  /** Changes on every write, like an entity's ETag. */
  readonly version: number;
}

/**
 * The rules store in this process's memory, for services' unit tests (and nothing that runs in
 * production: every process must share its rules). It keeps the Azure adapter's contract, conditional
 * writes included: the same contract suite runs against both.
 */
export function createMemoryRulesStore(): RulesStore {
  let routing: readonly RoutingRule[] = [];
  let fieldMap: CrmFieldMap = {};
  const rotations = new Map<string, StoredRotation>();
  let versions = 0;
  const write = (channel: string, change: Omit<StoredRotation, 'version'>) =>
    rotations.set(channel, { ...change, version: ++versions });
  const toRotation = (channel: string, stored: StoredRotation | undefined): Rotation => ({
    channel,
    members: stored?.members ?? [],
    next: stored?.next ?? 0,
    acceptance: stored?.acceptance ?? null,
  });
  const updateMemberIn = (channel: string, userId: string, change: (m: RotationMember) => RotationMember) => {
    const stored = rotations.get(channel);
    if (!stored?.members.some((member) => member.userId === userId)) return false;
    write(channel, {
      ...stored,
      members: stored.members.map((member) => (member.userId === userId ? change(member) : member)),
    });
    return true;
  };
  const everywhere = (userId: string, change: (m: RotationMember) => RotationMember) =>
    [...rotations.keys()].filter((channel) => updateMemberIn(channel, userId, change));
  return {
    async crmFieldMap() {
      return fieldMap;
    },
    async setCrmFieldMap(map) {
      const replaced = fieldMap;
      fieldMap = { ...map };
      return replaced;
    },
    async routingRules() {
      return routing;
    },
    async setRoutingRules(rules) {
      const replaced = routing;
      routing = [...rules];
      return replaced;
    },
    async updateRoutingRules(edit) {
      const before = routing;
      const after = edit(before);
      routing = [...after];
      return { before, after };
    },
    async rotations() {
      const all: Record<string, readonly RotationMember[]> = {};
      for (const [channel, stored] of rotations) if (stored.members.length > 0) all[channel] = stored.members;
      return all;
    },
    async rotation(channel) {
      return toRotation(channel, rotations.get(channel));
    },
    async setRotation(channel, userIds) {
      const known = new Map((rotations.get(channel)?.members ?? []).map((member) => [member.userId, member]));
      write(channel, {
        members: userIds.map((userId) => known.get(userId) ?? { userId, paused: false }),
        next: 0,
        acceptance: rotations.get(channel)?.acceptance ?? null,
      });
    },
    async replaceRotation(channel, members, acceptance) {
      write(channel, { members: [...members], next: 0, acceptance });
    },
    async setPaused(userId, paused) {
      return everywhere(userId, (member) => ({ ...member, paused }));
    },
    async setAway(userId, until) {
      return everywhere(userId, (member) => ({ ...member, awayUntil: until }));
    },
    async updateMember(channel, userId, change) {
      return updateMemberIn(channel, userId, change);
    },
    async setAcceptance(channel, acceptance) {
      const stored = rotations.get(channel);
      if (!stored || stored.members.length === 0) return false;
      write(channel, { ...stored, acceptance });
      return true;
    },
    async readTurn(channel) {
      const stored = rotations.get(channel);
      if (!stored || stored.members.length === 0) return null;
      return { rotation: toRotation(channel, stored), version: String(stored.version) };
    },
    async advanceTurn(channel, version, next) {
      const stored = rotations.get(channel);
      if (!stored || String(stored.version) !== version) return false;
      write(channel, { ...stored, next });
      return true;
    },
  };
}
