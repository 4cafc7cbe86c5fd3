import type { LeadId } from '../domain/lead.ts';
import type { LeadAction, LeadChannel } from '../domain/lead-source.ts';

export interface Stage {
  readonly leadId: LeadId;
  readonly action: LeadAction;
  readonly channel: LeadChannel;
  readonly at: Date;
}

/** One customer's conversation about one offer: the first lead's message and every step since. */
export interface Conversation {
  readonly key: string;
  readonly rootLeadId: LeadId;
  /** Null until the first lead's message is posted. */
  readonly channel: string | null;
  readonly ts: string | null;
  /** Oldest first; the first is the root lead's. */
  readonly stages: readonly Stage[];
  readonly etag: string;
}

export type OpenResult =
  | { readonly kind: 'opened'; readonly conversation: Conversation }
  | { readonly kind: 'exists'; readonly conversation: Conversation };

export interface ConversationStore {
  /** Creates the conversation with `root` as its first stage unless one exists (conditional insert). */
  open(key: string, root: Stage): Promise<OpenResult>;
  get(key: string): Promise<Conversation | null>;
  /** Records the first message; idempotent. */
  setMessage(key: string, channel: string, ts: string): Promise<Conversation>;
  /** Adds a stage unless that lead's stage is already there; concurrent changes are re-read and merged. */
  addStage(key: string, stage: Stage): Promise<Conversation>;
}
