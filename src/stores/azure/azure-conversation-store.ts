import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { Conversation, ConversationStore, Stage } from '../conversation-store.ts';
import { conditionally, dateOf, getOrNull, updateGuarded } from './tables.ts';

interface ConversationEntity {
  conversationKey: string;
  rootPartitionKey: string;
  rootRowKey: string;
  channel: string;
  ts: string;
  /** JSON array of stages: a conversation has a handful, far below a property's 64 KiB. */
  stages: string;
  ownerId: string;
  ownedSince: Date | string;
}

interface StoredStage {
  pk: string;
  rk: string;
  action: Stage['action'];
  channel: Stage['channel'];
  at: string;
}

// Keys are hashed: e-mails may hold characters table keys forbid (`/`, `#`, `?`). The id is the row key.
const idOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);
const keysOfId = (id: string) => ({ partitionKey: id.slice(0, 2), rowKey: id });
const keysOf = (key: string) => keysOfId(idOf(key));
const ID = /^[0-9a-f]{32}$/;

const sameLead = (a: Stage['leadId'], b: Stage['leadId']) =>
  a.partitionKey === b.partitionKey && a.rowKey === b.rowKey;

function encodeStages(stages: readonly Stage[]): string {
  const stored: StoredStage[] = stages.map((stage) => ({
    pk: stage.leadId.partitionKey,
    rk: stage.leadId.rowKey,
    action: stage.action,
    channel: stage.channel,
    at: stage.at.toISOString(),
  }));
  return JSON.stringify(stored);
}

function decodeStages(json: string): Stage[] {
  const stored = JSON.parse(json) as StoredStage[];
  return stored.map((stage) => ({
    leadId: { partitionKey: stage.pk, rowKey: stage.rk },
    action: stage.action,
    channel: stage.channel,
    at: new Date(stage.at),
  }));
}

function fromEntity(entity: ConversationEntity & { etag: string; rowKey?: string }): Conversation {
  const ownedSince = dateOf(entity.ownedSince);
  return {
    id: entity.rowKey ?? idOf(entity.conversationKey),
    key: entity.conversationKey,
    rootLeadId: { partitionKey: entity.rootPartitionKey, rowKey: entity.rootRowKey },
    channel: entity.channel || null,
    ts: entity.ts || null,
    stages: decodeStages(entity.stages),
    owner: entity.ownerId && ownedSince ? { userId: entity.ownerId, since: ownedSince } : null,
    etag: entity.etag,
  };
}

export function createAzureConversationStore(client: TableClient): ConversationStore {
  const updateById = async (
    id: string,
    change: (current: Conversation) => Partial<ConversationEntity> | null,
  ) => {
    const { partitionKey, rowKey } = keysOfId(id);
    const entity = await updateGuarded<ConversationEntity>(client, partitionKey, rowKey, (current) =>
      change(fromEntity({ ...current, rowKey })),
    );
    return fromEntity({ ...entity, rowKey });
  };
  const update = (key: string, change: (current: Conversation) => Partial<ConversationEntity> | null) =>
    updateById(idOf(key), change);

  const store: ConversationStore = {
    async open(key, root) {
      const entity: ConversationEntity = {
        conversationKey: key,
        rootPartitionKey: root.leadId.partitionKey,
        rootRowKey: root.leadId.rowKey,
        channel: '',
        ts: '',
        stages: encodeStages([root]),
        ownerId: '',
        ownedSince: '',
      };
      const created = await conditionally(() => client.createEntity({ ...keysOf(key), ...entity }));
      if (created.ok) {
        return {
          kind: 'opened',
          conversation: fromEntity({ ...entity, ...keysOf(key), etag: created.value.etag ?? '' }),
        };
      }
      const existing = await store.get(key);
      if (existing === null) throw new Error('conversation exists but cannot be read');
      return { kind: 'exists', conversation: existing };
    },
    async get(key) {
      const { partitionKey, rowKey } = keysOf(key);
      const entity = await getOrNull<ConversationEntity>(client, partitionKey, rowKey);
      return entity === null ? null : fromEntity(entity);
    },
    async getById(id) {
      if (!ID.test(id)) return null;
      const { partitionKey, rowKey } = keysOfId(id);
      const entity = await getOrNull<ConversationEntity>(client, partitionKey, rowKey);
      return entity === null ? null : fromEntity(entity);
    },
    async setOwner(id, expected, to, at) {
      if ((await store.getById(id)) === null) return null;
      let previous: Conversation | null = null;
      const conversation = await updateById(id, (current) => {
        previous = current;
        if ((current.owner?.userId ?? null) !== expected) return null;
        return { ownerId: to ?? '', ownedSince: to === null ? '' : at };
      });
      const before = previous as Conversation | null;
      if (before === null || (before.owner?.userId ?? null) !== expected)
        return { kind: 'conflict', conversation };
      return { kind: 'changed', conversation, previous: before.owner };
    },
    setMessage(key, channel, ts) {
      return update(key, (current) =>
        current.ts === ts && current.channel === channel ? null : { channel, ts },
      );
    },
    addStage(key, stage) {
      return update(key, (current) => {
        if (current.stages.some((known) => sameLead(known.leadId, stage.leadId))) return null;
        const stages = [...current.stages, stage].sort((a, b) => a.at.getTime() - b.at.getTime());
        return { stages: encodeStages(stages) };
      });
    },
  };
  return store;
}
