import { createHash } from 'node:crypto';
import type {
  Closure,
  Conversation,
  FollowUp,
  Owner,
  Qualification,
  SlaState,
  Stage,
} from '../domain/conversation.ts';
import type { LeadId } from '../domain/lead.ts';

/**
 * A conversation's id: a hash of its key (e-mails may hold characters table keys forbid: `/`, `#`,
 * `?`). Opaque and short, so safe in button values; every store derives it alike.
 */
export const conversationIdOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);

/** Whether `id` can be a conversation's id (anything else, e.g. a forged button value, names none). */
export const isConversationId = (id: string) => /^[0-9a-f]{32}$/.test(id);

export type OpenResult =
  | { readonly kind: 'opened'; readonly conversation: Conversation }
  | { readonly kind: 'exists'; readonly conversation: Conversation };

export type OwnerChange =
  | { readonly kind: 'changed'; readonly conversation: Conversation; readonly previous: Owner | null }
  /** The owner was not the expected one (someone else claimed first): nothing was written. */
  | { readonly kind: 'conflict'; readonly conversation: Conversation };

export interface ConversationStore {
  /** Creates the conversation with `root` as its first stage unless one exists (conditional insert). */
  open(key: string, root: Stage): Promise<OpenResult>;
  get(key: string): Promise<Conversation | null>;
  /** By the opaque id carried in buttons; null when there is no such conversation. */
  getById(id: string): Promise<Conversation | null>;
  /** Records the first message; idempotent. */
  setMessage(key: string, channel: string, ts: string): Promise<Conversation>;
  /**
   * Adds a stage unless that lead's stage is already there; concurrent changes are re-read and merged.
   * The list is bounded (`boundStages`): the first stage and the latest ones are kept, the rest counted.
   */
  addStage(key: string, stage: Stage): Promise<Conversation>;
  /**
   * Makes `to` the lead the conversation's card shows, only while `expected` is (ETag-guarded): Microsoft's
   * table row taking over from the pushed copy of the same lead. Null when there is no such conversation;
   * the conversation unchanged when its root is no longer `expected`.
   */
  replaceRoot(key: string, expected: LeadId, to: LeadId): Promise<Conversation | null>;
  /**
   * Sets the owner to `to` (null: nobody) only if it is still `expected` (null: nobody), with an
   * ETag-guarded write: of two simultaneous claims exactly one is `changed`, the other a `conflict`.
   * Null when there is no such conversation.
   */
  setOwner(
    id: string,
    expected: string | null,
    to: string | null,
    at: Date,
    accepted: boolean,
  ): Promise<OwnerChange | null>;
  /**
   * Marks the owner's assignment accepted, only if `userId` still owns it (ETag-guarded). `acceptedNow`
   * is false when it was accepted already or they no longer own it.
   */
  accept(id: string, userId: string): Promise<{ conversation: Conversation; acceptedNow: boolean } | null>;
  /**
   * Starts the follow-up clock of an active lead, unless one is already waiting (the earlier deadline
   * stands); reopens a closed conversation (as a new opportunity: not qualified). `started` is false when
   * it did not replace the current clock.
   */
  startSla(id: string, sla: SlaState): Promise<{ conversation: Conversation; started: boolean }>;
  /**
   * Records a follow-up: it stops the clock of every lead that arrived before it; by the owner, it
   * accepts; its next step (due at `nextStepDueAt`, null: none) replaces any pending one.
   */
  recordFollowUp(id: string, followUp: FollowUp, nextStepDueAt?: Date | null): Promise<Conversation>;
  snooze(id: string, until: Date): Promise<Conversation>;
  /** Moves the pending next step's reminder (a snooze); null clears it. */
  setNextStepDue(id: string, dueAt: Date | null): Promise<Conversation>;
  /** Marks it Qualified unless it is closed or qualified already; `qualifiedNow` says whether this did. */
  qualify(
    id: string,
    qualification: Qualification,
  ): Promise<{ conversation: Conversation; qualifiedNow: boolean }>;
  /**
   * Closes it unless it is closed already (ETag-guarded: of two simultaneous closes exactly one has
   * `closedNow`, and the other sees the first one's closure).
   */
  close(id: string, closure: Closure): Promise<{ conversation: Conversation; closedNow: boolean }>;
  /** Conversations this rep owns (closed ones too: callers filter). Reads with a filter over the table. */
  listOwnedBy(userId: string): Promise<readonly Conversation[]>;
  /** Conversations whose follow-up or next step was due before `now` and is still awaited. */
  listOverdue(now: Date): Promise<readonly Conversation[]>;
  /** Conversations somebody owns (closed ones too: callers filter). */
  listOwned(): Promise<readonly Conversation[]>;
  /** Conversations nobody owns (closed ones too: callers filter). */
  listUnclaimed(): Promise<readonly Conversation[]>;
  /** Conversations whose first lead arrived at or after `since`. */
  listOpenedSince(since: Date): Promise<readonly Conversation[]>;
  /** The conversation whose first message is `ts` in `channel` (for replies in its thread); null if none. */
  findByMessage(channel: string, ts: string): Promise<Conversation | null>;
}
