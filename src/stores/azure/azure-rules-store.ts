import { odata, type TableClient } from '@azure/data-tables';
import { type CrmFieldMap, parseCrmFieldMap } from '../../domain/crm-fields.ts';
import type { Acceptance, Rotation, RotationMember } from '../../domain/rotation.ts';
import type { RoutingRule } from '../../domain/routing.ts';
import type { RulesStore } from '../rules-store.ts';
import { conditionally, getOrNull, readTextProperty, textProperties, updateGuarded } from './tables.ts';

/** Long text is kept in parts (`textProperties`): `rules`, `rules_1` … */
interface RulesEntity {
  rules: string;
}

interface RotationEntity {
  /** JSON of the members, in parts (`textProperties`): `members`, `members_1` … */
  members: string;
  next: number;
  /** Minutes an assignee has to accept, and how many times a lead moves on; absent or 0: no acceptance. */
  acceptMinutes?: number;
  maxHops?: number;
}

const ROUTING = { partitionKey: 'routing', rowKey: 'rules' };
const CRM_FIELDS = { partitionKey: 'crm', rowKey: 'fieldMap' };

/** The stored map, checked again as it is read: only what an import would take is used. */
function fieldMapOf(entity: { fieldMap?: string } | null): CrmFieldMap {
  if (!entity?.fieldMap) return {};
  try {
    return parseCrmFieldMap(JSON.parse(entity.fieldMap), 'crm.fieldMap', []);
  } catch {
    return {};
  }
}
const ROTATION = 'rotation';

/** Members are kept as JSON in one property; `awayUntil` as ISO text. */
function parseMembers(json: string): RotationMember[] {
  const raw = JSON.parse(json) as Array<{
    userId: string;
    paused?: boolean;
    awayUntil?: string | null;
    weight?: number;
    cap?: number;
  }>;
  return raw.map((member) => ({
    userId: member.userId,
    paused: member.paused === true,
    ...(member.awayUntil ? { awayUntil: new Date(member.awayUntil) } : {}),
    ...(member.weight && member.weight !== 1 ? { weight: member.weight } : {}),
    ...(member.cap !== undefined && member.cap !== null ? { cap: member.cap } : {}),
  }));
}

const membersOf = (entity: RotationEntity) => parseMembers(readTextProperty(entity, 'members'));
const rulesOf = (entity: RulesEntity) => JSON.parse(readTextProperty(entity, 'rules')) as RoutingRule[];
const membersProperties = (members: readonly RotationMember[]) =>
  textProperties('members', JSON.stringify(members));
const rulesProperties = (rules: readonly RoutingRule[]) => textProperties('rules', JSON.stringify(rules));

function toRotation(channel: string, entity: RotationEntity): Rotation {
  const acceptMinutes = Number(entity.acceptMinutes ?? 0);
  return {
    channel,
    members: membersOf(entity),
    next: Number(entity.next),
    acceptance: acceptMinutes > 0 ? { minutes: acceptMinutes, maxHops: Number(entity.maxHops ?? 0) } : null,
  };
}

/** Creates the entity if it does not exist yet, so the guarded update below always has one to read. */
async function ensure(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
  initial: object,
): Promise<void> {
  await conditionally(() => client.createEntity({ partitionKey, rowKey, ...initial }));
}

export function createAzureRulesStore(client: TableClient): RulesStore {
  /** Changes a rep of one channel's rotation (ETag-guarded); false when they are not in it. */
  async function updateMember(
    channel: string,
    userId: string,
    change: (member: RotationMember) => RotationMember,
  ): Promise<boolean> {
    if ((await getOrNull<RotationEntity>(client, ROTATION, channel)) === null) return false;
    let found = false;
    await updateGuarded<RotationEntity>(client, ROTATION, channel, (current) => {
      const members = membersOf(current);
      found = members.some((member) => member.userId === userId);
      return found
        ? membersProperties(members.map((member) => (member.userId === userId ? change(member) : member)))
        : null;
    });
    return found;
  }
  /** Changes a rep in every rotation they are in; returns those channels. */
  async function updateMemberEverywhere(
    userId: string,
    change: (member: RotationMember) => RotationMember,
  ): Promise<readonly string[]> {
    const changed: string[] = [];
    const rotations = client.listEntities<RotationEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${ROTATION}` },
    });
    for await (const rotation of rotations) {
      const channel = rotation.rowKey ?? '';
      if (!membersOf(rotation).some((member) => member.userId === userId)) continue;
      if (await updateMember(channel, userId, change)) changed.push(channel);
    }
    return changed;
  }
  return {
    async crmFieldMap() {
      return fieldMapOf(
        await getOrNull<{ fieldMap?: string }>(client, CRM_FIELDS.partitionKey, CRM_FIELDS.rowKey),
      );
    },
    async setCrmFieldMap(map) {
      await ensure(client, CRM_FIELDS.partitionKey, CRM_FIELDS.rowKey, { fieldMap: '{}' });
      let replaced: CrmFieldMap = {};
      await updateGuarded<{ fieldMap?: string }>(
        client,
        CRM_FIELDS.partitionKey,
        CRM_FIELDS.rowKey,
        (current) => {
          replaced = fieldMapOf(current);
          return { fieldMap: JSON.stringify(map) };
        },
      );
      return replaced;
    },
    async routingRules() {
      const entity = await getOrNull<RulesEntity>(client, ROUTING.partitionKey, ROUTING.rowKey);
      return entity === null ? [] : rulesOf(entity);
    },
    async setRoutingRules(rules) {
      await ensure(client, ROUTING.partitionKey, ROUTING.rowKey, { rules: '[]' });
      let replaced: RoutingRule[] = [];
      await updateGuarded<RulesEntity>(client, ROUTING.partitionKey, ROUTING.rowKey, (current) => {
        replaced = rulesOf(current);
        return rulesProperties(rules);
      });
      return replaced;
    },
    async updateRoutingRules(edit) {
      await ensure(client, ROUTING.partitionKey, ROUTING.rowKey, { rules: '[]' });
      let before: readonly RoutingRule[] = [];
      let after: readonly RoutingRule[] = [];
      await updateGuarded<RulesEntity>(client, ROUTING.partitionKey, ROUTING.rowKey, (current) => {
        before = rulesOf(current);
        after = edit(before);
        return rulesProperties(after);
      });
      return { before, after };
    },
    async rotations() {
      const all: Record<string, readonly RotationMember[]> = {};
      const rotations = client.listEntities<RotationEntity>({
        queryOptions: { filter: odata`PartitionKey eq ${ROTATION}` },
      });
      for await (const rotation of rotations) {
        const members = membersOf(rotation);
        if (members.length > 0) all[rotation.rowKey ?? ''] = members;
      }
      return all;
    },
    async rotation(channel) {
      const entity = await getOrNull<RotationEntity>(client, ROTATION, channel);
      return entity === null
        ? { channel, members: [], next: 0, acceptance: null }
        : toRotation(channel, entity);
    },
    async readTurn(channel) {
      const entity = await getOrNull<RotationEntity>(client, ROTATION, channel);
      if (entity === null || membersOf(entity).length === 0) return null;
      return { rotation: toRotation(channel, entity), version: entity.etag };
    },
    async advanceTurn(channel, version, next) {
      const written = await conditionally(() =>
        client.updateEntity({ partitionKey: ROTATION, rowKey: channel, next }, 'Merge', { etag: version }),
      );
      return written.ok;
    },
    updateMember,
    async setAcceptance(channel, acceptance: Acceptance | null) {
      const entity = await getOrNull<RotationEntity>(client, ROTATION, channel);
      if (entity === null || membersOf(entity).length === 0) return false;
      await updateGuarded<RotationEntity>(client, ROTATION, channel, () => ({
        acceptMinutes: acceptance?.minutes ?? 0,
        maxHops: acceptance?.maxHops ?? 0,
      }));
      return true;
    },
    async setRotation(channel, userIds) {
      await ensure(client, ROTATION, channel, { members: '[]', next: 0 });
      await updateGuarded<RotationEntity>(client, ROTATION, channel, (current) => {
        // A rep who stays keeps being paused or away.
        const known = new Map(membersOf(current).map((member) => [member.userId, member]));
        const members = userIds.map((userId) => known.get(userId) ?? { userId, paused: false });
        return { ...membersProperties(members), next: 0 };
      });
    },
    async replaceRotation(channel, members, acceptance) {
      await ensure(client, ROTATION, channel, { members: '[]', next: 0 });
      await updateGuarded<RotationEntity>(client, ROTATION, channel, () => ({
        ...membersProperties(members),
        next: 0,
        acceptMinutes: acceptance?.minutes ?? 0,
        maxHops: acceptance?.maxHops ?? 0,
      }));
    },
    async setPaused(userId, paused) {
      return updateMemberEverywhere(userId, (member) => ({ ...member, paused }));
    },
    async setAway(userId, until) {
      return updateMemberEverywhere(userId, (member) => ({ ...member, awayUntil: until }));
    },
  };
}
