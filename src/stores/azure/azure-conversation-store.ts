import { odata, type TableClient } from '@azure/data-tables';
import {
  boundStages,
  type Closure,
  type Conversation,
  type FollowUp,
  isAwaitingFollowUp,
  type Qualification,
  type SlaState,
  type Stage,
} from '../../domain/conversation.ts';
import { type ConversationStore, conversationIdOf, isConversationId } from '../conversation-store.ts';
import { conditionally, dateOf, getOrNull, statusOf, updateGuarded } from './tables.ts';

interface ConversationEntity {
  conversationKey: string;
  rootPartitionKey: string;
  rootRowKey: string;
  channel: string;
  ts: string;
  /** JSON array of stages, at most MAX_STAGES (about 4 KB), far below a property's 64 KiB. */
  stages: string;
  /** Stages left out of the list (absent: none). */
  omittedStages?: number;
  ownerId: string;
  ownedSince: Date | string;
  /** Absent on rows written before assignments could wait for acceptance: accepted. */
  ownerAccepted?: boolean;
  /** JSON of SlaState, FollowUp; empty when none. */
  sla?: string;
  followUp?: string;
  firstFollowUpAt?: Date | string;
  snoozedUntil?: Date | string;
  closed?: string;
  /** JSON of the Qualification; empty when none. */
  qualified?: string;
  /** When the pending next step is due (NOT_DUE: none); a typed column for `/leads overdue`'s filter. */
  nextStepDueAt?: Date;
  /** Flat copies for server-side filters: when the first lead arrived, and when a follow-up is due. */
  openedAt?: Date;
  followUpDueAt?: Date;
}

interface MessageIndexEntity {
  conversationId: string;
}

interface StoredStage {
  pk: string;
  rk: string;
  action: Stage['action'];
  channel: Stage['channel'];
  at: string;
}

// The id (a hash of the key) is the row key.
const idOf = conversationIdOf;
const keysOfId = (id: string) => ({ partitionKey: id.slice(0, 2), rowKey: id });
const keysOf = (key: string) => keysOfId(idOf(key));

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

function decodeSla(json: string): SlaState {
  const raw = JSON.parse(json) as Record<keyof SlaState, string> & {
    minutes?: unknown;
    claimMinutes?: unknown;
  };
  return {
    action: raw.action,
    minutes: typeof raw.minutes === 'number' ? raw.minutes : null,
    claimMinutes: typeof raw.claimMinutes === 'number' ? raw.claimMinutes : null,
    startedAt: new Date(raw.startedAt),
    remindAt: new Date(raw.remindAt),
    escalateAt: new Date(raw.escalateAt),
  };
}

function decodeClosure(json: string): Closure {
  const raw = JSON.parse(json) as Closure & { at: string };
  return { ...raw, at: new Date(raw.at) };
}

function decodeFollowUp(json: string): FollowUp {
  const raw = JSON.parse(json) as FollowUp & { at: string };
  return { ...raw, at: new Date(raw.at) };
}

function decodeQualification(json: string): Qualification {
  const raw = JSON.parse(json) as Qualification & { at: string };
  return { ...raw, at: new Date(raw.at) };
}

const dueOrNull = (value: unknown) => {
  const date = dateOf(value);
  return date === null || date.getTime() >= NOT_DUE.getTime() ? null : date;
};

// Stands for "no follow-up due" in followUpDueAt, so `lt now` never matches it (a typed column cannot be empty).
const NOT_DUE = new Date('9999-12-31T00:00:00Z');

// A message's index entry lives in its own partition of the same table.
const messageKeys = (channel: string, ts: string) => ({
  partitionKey: 'message',
  rowKey: `${channel}-${ts}`,
});

function fromEntity(entity: ConversationEntity & { etag: string; rowKey?: string }): Conversation {
  const ownedSince = dateOf(entity.ownedSince);
  return {
    id: entity.rowKey ?? idOf(entity.conversationKey),
    key: entity.conversationKey,
    rootLeadId: { partitionKey: entity.rootPartitionKey, rowKey: entity.rootRowKey },
    channel: entity.channel || null,
    ts: entity.ts || null,
    stages: decodeStages(entity.stages),
    omittedStages: typeof entity.omittedStages === 'number' ? entity.omittedStages : 0,
    owner:
      entity.ownerId && ownedSince
        ? { userId: entity.ownerId, since: ownedSince, accepted: entity.ownerAccepted !== false }
        : null,
    sla: entity.sla ? decodeSla(entity.sla) : null,
    followUp: entity.followUp ? decodeFollowUp(entity.followUp) : null,
    firstFollowUpAt: dateOf(entity.firstFollowUpAt),
    snoozedUntil: dateOf(entity.snoozedUntil),
    closed: entity.closed ? decodeClosure(entity.closed) : null,
    nextStepDueAt: dueOrNull(entity.nextStepDueAt),
    qualified: entity.qualified ? decodeQualification(entity.qualified) : null,
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

  const list = async (filter: string) => {
    const found: Conversation[] = [];
    for await (const entity of client.listEntities<ConversationEntity>({ queryOptions: { filter } })) {
      found.push(fromEntity({ ...entity, rowKey: entity.rowKey ?? '' }));
    }
    return found;
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
        ownerId: '',
        ownedSince: '',
        openedAt: root.at,
        nextStepDueAt: NOT_DUE,
        followUpDueAt: NOT_DUE,
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
      if (!isConversationId(id)) return null;
      const { partitionKey, rowKey } = keysOfId(id);
      const entity = await getOrNull<ConversationEntity>(client, partitionKey, rowKey);
      return entity === null ? null : fromEntity(entity);
    },
    async setOwner(id, expected, to, at, accepted) {
      if (!isConversationId(id)) return null;
      let previous: Conversation | null = null;
      let conversation: Conversation;
      try {
        conversation = await updateById(id, (current) => {
          previous = current;
          if ((current.owner?.userId ?? null) !== expected) return null;
          return { ownerId: to ?? '', ownedSince: to === null ? '' : at, ownerAccepted: accepted };
        });
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
      const before = previous as Conversation | null;
      if (before === null || (before.owner?.userId ?? null) !== expected)
        return { kind: 'conflict', conversation };
      return { kind: 'changed', conversation, previous: before.owner };
    },
    async setMessage(key, channel, ts) {
      await conditionally(() =>
        client.createEntity<MessageIndexEntity>({ ...messageKeys(channel, ts), conversationId: idOf(key) }),
      );
      return update(key, (current) =>
        current.ts === ts && current.channel === channel ? null : { channel, ts },
      );
    },
    async findByMessage(channel, ts) {
      const { partitionKey, rowKey } = messageKeys(channel, ts);
      const index = await getOrNull<MessageIndexEntity>(client, partitionKey, rowKey);
      return index === null ? null : store.getById(index.conversationId);
    },
    async listOwnedBy(userId) {
      return list(odata`ownerId eq ${userId}`);
    },
    async accept(id, userId) {
      if (!isConversationId(id)) return null;
      let acceptedNow = false;
      try {
        const conversation = await updateById(id, (current) => {
          acceptedNow = current.owner?.userId === userId && !current.owner.accepted;
          return acceptedNow ? { ownerAccepted: true } : null;
        });
        return { conversation, acceptedNow };
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
    },
    async listOwned() {
      return list(odata`ownerId ne ''`);
    },
    async listUnclaimed() {
      return list(odata`ownerId eq ''`);
    },
    async listOverdue(now) {
      return list(odata`followUpDueAt lt ${now} or nextStepDueAt lt ${now}`);
    },
    async listOpenedSince(since) {
      return list(odata`openedAt ge ${since}`);
    },
    async startSla(id, sla) {
      let started = false;
      const conversation = await updateById(id, (current) => {
        started = !isAwaitingFollowUp(current);
        if (!started) return null;
        // Reopening a closed conversation starts a new opportunity: its old qualification goes too.
        const reopened = current.closed !== null ? { qualified: '' } : {};
        return { sla: JSON.stringify(sla), closed: '', followUpDueAt: sla.remindAt, ...reopened };
      });
      return { conversation, started };
    },
    recordFollowUp(id, followUp, nextStepDueAt = null) {
      return updateById(id, (current) => ({
        followUp: JSON.stringify(followUp),
        followUpDueAt: NOT_DUE,
        nextStepDueAt: nextStepDueAt ?? NOT_DUE,
        ...(current.firstFollowUpAt === null ? { firstFollowUpAt: followUp.at } : {}),
        ...(current.owner?.userId === followUp.by ? { ownerAccepted: true } : {}),
      }));
    },
    snooze(id, until) {
      return updateById(id, () => ({ snoozedUntil: until }));
    },
    setNextStepDue(id, dueAt) {
      return updateById(id, () => ({ nextStepDueAt: dueAt ?? NOT_DUE }));
    },
    async qualify(id, qualification) {
      let qualifiedNow = false;
      const conversation = await updateById(id, (current) => {
        qualifiedNow = current.closed === null && current.qualified === null;
        return qualifiedNow ? { qualified: JSON.stringify(qualification) } : null;
      });
      return { conversation, qualifiedNow };
    },
    async close(id, closure) {
      let closedNow = false;
      const conversation = await updateById(id, (current) => {
        closedNow = current.closed === null;
        return closedNow
          ? { closed: JSON.stringify(closure), followUpDueAt: NOT_DUE, nextStepDueAt: NOT_DUE }
          : null;
      });
      return { conversation, closedNow };
    },
    async replaceRoot(key, expected, to) {
      if ((await store.get(key)) === null) return null;
      return update(key, (current) =>
        sameLead(current.rootLeadId, expected)
          ? { rootPartitionKey: to.partitionKey, rootRowKey: to.rowKey }
          : null,
      );
    },
    addStage(key, stage) {
      return update(key, (current) => {
        if (current.stages.some((known) => sameLead(known.leadId, stage.leadId))) return null;
        const bounded = boundStages(current.stages, current.omittedStages, stage);
        return { stages: encodeStages(bounded.stages), omittedStages: bounded.omitted };
      });
    },
  };
  return store;
}
