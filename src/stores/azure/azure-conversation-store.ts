import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import type { Conversation, ConversationStore, Stage } from '../conversation-store.ts';
import { conditionally, getOrNull, updateGuarded } from './tables.ts';

interface ConversationEntity {
  conversationKey: string;
  rootPartitionKey: string;
  rootRowKey: string;
  channel: string;
  ts: string;
  /** JSON array of stages: a conversation has a handful, far below a property's 64 KiB. */
  stages: string;
}

interface StoredStage {
  pk: string;
  rk: string;
  action: Stage['action'];
  channel: Stage['channel'];
  at: string;
}

// Keys are hashed: e-mails may hold characters table keys forbid (`/`, `#`, `?`).
function keysOf(key: string): { partitionKey: string; rowKey: string } {
  const hash = createHash('sha256').update(key).digest('hex');
  return { partitionKey: hash.slice(0, 2), rowKey: hash };
}

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

function fromEntity(entity: ConversationEntity & { etag: string }): Conversation {
  return {
    key: entity.conversationKey,
    rootLeadId: { partitionKey: entity.rootPartitionKey, rowKey: entity.rootRowKey },
    channel: entity.channel || null,
    ts: entity.ts || null,
    stages: decodeStages(entity.stages),
    etag: entity.etag,
  };
}

export function createAzureConversationStore(client: TableClient): ConversationStore {
  const update = async (
    key: string,
    change: (current: Conversation) => Partial<ConversationEntity> | null,
  ) => {
    const { partitionKey, rowKey } = keysOf(key);
    const entity = await updateGuarded<ConversationEntity>(client, partitionKey, rowKey, (current) =>
      change(fromEntity(current)),
    );
    return fromEntity(entity);
  };

  const store: ConversationStore = {
    async open(key, root) {
      const entity: ConversationEntity = {
        conversationKey: key,
        rootPartitionKey: root.leadId.partitionKey,
        rootRowKey: root.leadId.rowKey,
        channel: '',
        ts: '',
        stages: encodeStages([root]),
      };
      const created = await conditionally(() => client.createEntity({ ...keysOf(key), ...entity }));
      if (created.ok)
        return { kind: 'opened', conversation: fromEntity({ ...entity, etag: created.value.etag ?? '' }) };
      const existing = await store.get(key);
      if (existing === null) throw new Error('conversation exists but cannot be read');
      return { kind: 'exists', conversation: existing };
    },
    async get(key) {
      const { partitionKey, rowKey } = keysOf(key);
      const entity = await getOrNull<ConversationEntity>(client, partitionKey, rowKey);
      return entity === null ? null : fromEntity(entity);
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
