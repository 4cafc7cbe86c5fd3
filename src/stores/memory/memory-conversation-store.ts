import { boundStages, type Conversation, isAwaitingFollowUp, type Stage } from '../../domain/conversation.ts';
import {
  type ConversationStore,
  conversationIdOf,
  isConversationId,
  type OwnerChange,
} from '../conversation-store.ts';

// The conversation store in this process's memory, for services' unit tests: it keeps the Azure
// adapter's contract (test/stores/conversation-store.contract.test.ts). Each change is applied to the
// conversation as it is now, in one step, as the Azure adapter's ETag-guarded update ends up doing.

interface Held {
  readonly conversation: Conversation;
  /** When the open follow-up clock reminds its owner; null when none is awaited (`listOverdue`). */
  readonly followUpDueAt: Date | null;
  /** When its first lead arrived, as opened (`listOpenedSince`). */
  readonly openedAt: Date;
}

const sameLead = (a: Stage['leadId'], b: Stage['leadId']) =>
  a.partitionKey === b.partitionKey && a.rowKey === b.rowKey;

export function createMemoryConversationStore(): ConversationStore {
  const byId = new Map<string, Held>();
  const byMessage = new Map<string, string>();
  let version = 0;

  /** Applies `change` to the conversation as it is now; null from `change` leaves it as it is. */
  function update(
    id: string,
    change: (current: Conversation) => (Partial<Conversation> & { followUpDueAt?: Date | null }) | null,
  ): Conversation {
    const held = byId.get(id);
    if (held === undefined) throw new Error(`no conversation ${id}`);
    const changed = change(held.conversation);
    if (changed === null) return held.conversation;
    const { followUpDueAt, ...fields } = changed;
    const conversation = { ...held.conversation, ...fields, etag: `m${++version}` };
    byId.set(id, {
      ...held,
      conversation,
      followUpDueAt: followUpDueAt === undefined ? held.followUpDueAt : followUpDueAt,
    });
    return conversation;
  }

  const list = (matches: (held: Held) => boolean) =>
    [...byId.values()].filter(matches).map((held) => held.conversation);
  const getById = async (id: string) => byId.get(id)?.conversation ?? null;

  return {
    async open(key, root) {
      const id = conversationIdOf(key);
      const existing = byId.get(id);
      if (existing !== undefined) return { kind: 'exists', conversation: existing.conversation };
      const conversation: Conversation = {
        id,
        key,
        rootLeadId: root.leadId,
        channel: null,
        ts: null,
        stages: [root],
        omittedStages: 0,
        owner: null,
        sla: null,
        followUp: null,
        firstFollowUpAt: null,
        snoozedUntil: null,
        nextStepDueAt: null,
        qualified: null,
        closed: null,
        etag: `m${++version}`,
      };
      byId.set(id, { conversation, followUpDueAt: null, openedAt: root.at });
      return { kind: 'opened', conversation };
    },
    get: (key) => getById(conversationIdOf(key)),
    async getById(id) {
      return isConversationId(id) ? getById(id) : null;
    },
    async setMessage(key, channel, ts) {
      const id = conversationIdOf(key);
      if (!byMessage.has(`${channel}-${ts}`)) byMessage.set(`${channel}-${ts}`, id);
      return update(id, (current) =>
        current.ts === ts && current.channel === channel ? null : { channel, ts },
      );
    },
    async findByMessage(channel, ts) {
      const id = byMessage.get(`${channel}-${ts}`);
      return id === undefined ? null : getById(id);
    },
    async addStage(key, stage) {
      return update(conversationIdOf(key), (current) => {
        if (current.stages.some((known) => sameLead(known.leadId, stage.leadId))) return null;
        const bounded = boundStages(current.stages, current.omittedStages, stage);
        return { stages: bounded.stages, omittedStages: bounded.omitted };
      });
    },
    async replaceRoot(key, expected, to) {
      const id = conversationIdOf(key);
      if (!byId.has(id)) return null;
      return update(id, (current) => (sameLead(current.rootLeadId, expected) ? { rootLeadId: to } : null));
    },
    async setOwner(id, expected, to, at, accepted): Promise<OwnerChange | null> {
      const held = isConversationId(id) ? byId.get(id) : undefined;
      if (held === undefined) return null;
      const before = held.conversation;
      if ((before.owner?.userId ?? null) !== expected) return { kind: 'conflict', conversation: before };
      const conversation = update(id, () => ({
        owner: to === null ? null : { userId: to, since: at, accepted },
      }));
      return { kind: 'changed', conversation, previous: before.owner };
    },
    async accept(id, userId) {
      const held = isConversationId(id) ? byId.get(id) : undefined;
      if (held === undefined) return null;
      const owner = held.conversation.owner;
      const acceptedNow = owner?.userId === userId && !owner.accepted;
      const conversation = acceptedNow
        ? update(id, () => ({ owner: { ...owner, accepted: true } }))
        : held.conversation;
      return { conversation, acceptedNow };
    },
    async startSla(id, sla) {
      let started = false;
      const conversation = update(id, (current) => {
        started = !isAwaitingFollowUp(current);
        if (!started) return null;
        // Reopening a closed conversation starts a new opportunity: its old qualification goes too.
        const reopened = current.closed !== null ? { qualified: null } : {};
        return { sla, closed: null, followUpDueAt: sla.remindAt, ...reopened };
      });
      return { conversation, started };
    },
    async recordFollowUp(id, followUp, nextStepDueAt = null) {
      return update(id, (current) => ({
        followUp,
        followUpDueAt: null,
        nextStepDueAt,
        firstFollowUpAt: current.firstFollowUpAt ?? followUp.at,
        owner: current.owner?.userId === followUp.by ? { ...current.owner, accepted: true } : current.owner,
      }));
    },
    async snooze(id, until) {
      return update(id, () => ({ snoozedUntil: until }));
    },
    async setNextStepDue(id, dueAt) {
      return update(id, () => ({ nextStepDueAt: dueAt }));
    },
    async qualify(id, qualification) {
      let qualifiedNow = false;
      const conversation = update(id, (current) => {
        qualifiedNow = current.closed === null && current.qualified === null;
        return qualifiedNow ? { qualified: qualification } : null;
      });
      return { conversation, qualifiedNow };
    },
    async close(id, closure) {
      let closedNow = false;
      const conversation = update(id, (current) => {
        closedNow = current.closed === null;
        return closedNow ? { closed: closure, followUpDueAt: null, nextStepDueAt: null } : null;
      });
      return { conversation, closedNow };
    },
    async listOwnedBy(userId) {
      return list((held) => held.conversation.owner?.userId === userId);
    },
    async listOverdue(now) {
      const before = (date: Date | null) => date !== null && date.getTime() < now.getTime();
      return list((held) => before(held.followUpDueAt) || before(held.conversation.nextStepDueAt));
    },
    async listOwned() {
      return list((held) => held.conversation.owner !== null);
    },
    async listUnclaimed() {
      return list((held) => held.conversation.owner === null);
    },
    async listOpenedSince(since) {
      return list((held) => held.openedAt.getTime() >= since.getTime());
    },
  };
}
