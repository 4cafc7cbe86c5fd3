import { type Conversation, type FollowUpKind, PIPELINE_STAGES, type PipelineStage } from './conversation.ts';
import { fnv1a64 } from './lead.ts';
import type { OwnershipEvent } from './ownership.ts';

/**
 * Something that happened to a lead in Slack which its CRM record is told of (write-back): a new
 * owner, a logged follow-up, or a stage the owner moved it to. Each is written once, in the order it
 * happened, to the record the lead's own CRM write made.
 */
export type CrmChange = (
  | { readonly kind: 'owner'; readonly at: Date; readonly by: string; readonly ownerId: string }
  | {
      readonly kind: 'followUp';
      readonly at: Date;
      readonly by: string;
      readonly followUpKind: FollowUpKind;
      readonly note: string | null;
      readonly nextStepOn: string | null;
      /** The lead's stage after the follow-up (Contacted, unless it was qualified already). */
      readonly stage: PipelineStage;
    }
  | {
      readonly kind: 'stage';
      readonly at: Date;
      readonly by: string;
      readonly stage: PipelineStage;
      /** Why it was closed, as the owner wrote it; null when they gave none. */
      readonly reason: string | null;
    }
) & {
  /**
   * The conversation the change is recorded in. A change is queued before it is recorded, so the CRM
   * job checks it was (see recordingOf). Absent on changes queued before that order: they were queued
   * after being recorded.
   */
  readonly conversationId?: string;
};

/**
 * How long a queued change may wait for its record in Slack before it counts as never recorded: the
 * service records it right after queueing it; only a process that stopped between the two leaves it
 * waiting longer. Generous, so a slow table or a clock a minute apart never drops a real change.
 */
export const CHANGE_RECORD_GRACE_MS = 2 * 60_000;

/**
 * Whether the conversation shows the change recorded. `unknown` when a later change of the same kind
 * replaced what would show it (a later follow-up, a reopening): such a change is written, since losing
 * what a rep did is worse than a note the CRM may carry for a click whose recording failed.
 */
export function recordingOf(
  change: CrmChange,
  conversation: Conversation | null,
  ownershipEvents: readonly OwnershipEvent[],
): 'recorded' | 'notRecorded' | 'unknown' {
  if (conversation === null) return 'notRecorded';
  const at = change.at.getTime();
  const laterThanChange = (moment: Date | undefined) => moment !== undefined && moment.getTime() > at;
  switch (change.kind) {
    case 'owner': {
      const owner = conversation.owner;
      const shown = owner?.userId === change.ownerId && owner.since.getTime() === at;
      const logged = ownershipEvents.some(
        (event) => event.to === change.ownerId && event.at.getTime() === at,
      );
      return shown || logged ? 'recorded' : 'notRecorded';
    }
    case 'followUp': {
      const latest = conversation.followUp;
      if (latest?.at.getTime() === at && latest.by === change.by) return 'recorded';
      return laterThanChange(latest?.at) ? 'unknown' : 'notRecorded';
    }
    case 'stage': {
      if (change.stage === 'Qualified')
        return conversation.qualified?.at.getTime() === at ? 'recorded' : 'notRecorded';
      const closed = conversation.closed;
      if (closed?.at.getTime() === at && closed.by === change.by) return 'recorded';
      // Reopened by a later lead, or closed again since: what showed it is gone.
      const reopened = closed === null && conversation.stages.some((stage) => laterThanChange(stage.at));
      return reopened || laterThanChange(closed?.at) ? 'unknown' : 'notRecorded';
    }
  }
}

/**
 * The outbox key of a change of the lead whose CRM key is `leadKey`: the lead's key, a dot, and a
 * hash of the change, so queuing the same change twice (a Slack retry) queues it once, and every
 * change of one lead sorts after the lead's own write.
 */
export function crmChangeKeyOf(leadKey: string, change: CrmChange): string {
  const identity = `${change.kind}\u0000${change.at.toISOString()}\u0000${change.by}\u0000${
    change.kind === 'owner' ? change.ownerId : change.kind === 'stage' ? change.stage : change.followUpKind
  }`;
  return `${leadKey}.${fnv1a64(identity)}`;
}

/** The CRM key of the lead a change key belongs to. */
export function leadKeyOfChange(key: string): string {
  const dot = key.indexOf('.');
  return dot < 0 ? key : key.slice(0, dot);
}

const FOLLOW_UP_KINDS: readonly FollowUpKind[] = ['call', 'email', 'meeting', 'other', 'thread reply'];

/** The change as stored (JSON text). */
export function serialiseCrmChange(change: CrmChange): string {
  return JSON.stringify(change);
}

/**
 * A stored change read back; null when the text is not one (a row written by a newer or broken
 * version): the caller sets it aside rather than send the CRM something it cannot vouch for.
 */
export function parseCrmChange(text: string): CrmChange | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  const at = typeof record.at === 'string' ? new Date(record.at) : null;
  if (at === null || Number.isNaN(at.getTime()) || typeof record.by !== 'string') return null;
  const optionalText = (name: string): string | null | undefined => {
    const field = record[name];
    return field === null || typeof field === 'string' ? field : undefined;
  };
  const stage = PIPELINE_STAGES.find((known) => known === record.stage);
  const recordedIn =
    typeof record.conversationId === 'string' ? { conversationId: record.conversationId } : {};
  switch (record.kind) {
    case 'owner':
      return typeof record.ownerId === 'string'
        ? { kind: 'owner', at, by: record.by, ownerId: record.ownerId, ...recordedIn }
        : null;
    case 'followUp': {
      const followUpKind = FOLLOW_UP_KINDS.find((known) => known === record.followUpKind);
      const note = optionalText('note');
      const nextStepOn = optionalText('nextStepOn');
      if (followUpKind === undefined || stage === undefined || note === undefined || nextStepOn === undefined)
        return null;
      return { kind: 'followUp', at, by: record.by, followUpKind, note, nextStepOn, stage, ...recordedIn };
    }
    case 'stage': {
      const reason = optionalText('reason');
      return stage === undefined || reason === undefined
        ? null
        : { kind: 'stage', at, by: record.by, stage, reason, ...recordedIn };
    }
    default:
      return null;
  }
}

/** An activity added to a CRM record: a note (HubSpot), a completed task (Salesforce), a note (Dataverse). */
export interface CrmActivity {
  /** One line, at most 255 characters; ends with the change's reference, so it can be found again. */
  readonly subject: string;
  readonly body: string;
}

/** What the CRM record is told of one change: its stage, its owner, and an activity, each when there is one. */
export interface CrmUpdate {
  /** The change's key: the activity is added once, however often the update is sent. */
  readonly key: string;
  readonly at: Date;
  /** The record's stage from now on; null leaves it. */
  readonly stage: PipelineStage | null;
  /** The e-mail of the record's owner from now on (the CRM user with it); null leaves the owner. */
  readonly ownerEmail: string | null;
  readonly activity: CrmActivity | null;
  /**
   * An earlier attempt may have added the activity and lost the answer: the adapter looks it up by
   * its reference before adding it, so a lost answer never makes a second one.
   */
  readonly maybeWritten: boolean;
}

const FOLLOW_UP_WORDS: Readonly<Record<FollowUpKind, string>> = {
  call: 'Call',
  email: 'E-mail',
  meeting: 'Meeting',
  other: 'Follow-up',
  'thread reply': 'Reply in the Slack thread',
};

/**
 * The reference that ends an activity's subject: the change's whole key as one word (letters and
 * digits only, so a CRM's search takes it as one token). The lead's part matters: a rep logging the
 * same kind of call on two leads in one millisecond makes two changes with the same hash.
 */
export function crmReferenceOf(key: string): string {
  return `ref ${key.replace(/[^0-9A-Za-z]/g, '')}`;
}

/**
 * The update a change makes to the lead's CRM record. The texts are the same in every CRM and say
 * where they come from; what the rep wrote is kept exactly as written.
 */
export function crmUpdateOf(input: {
  readonly key: string;
  readonly change: CrmChange;
  readonly ownerEmail: string | null;
  /** Who made the change, as the CRM's readers know them: their e-mail, else "Slack user U…". */
  readonly byName: string;
  readonly maybeWritten: boolean;
}): CrmUpdate {
  const { key, change, byName } = input;
  const base = { key, at: change.at, maybeWritten: input.maybeWritten };
  const reference = crmReferenceOf(key);
  const subject = (words: string) => `${words.slice(0, 255 - reference.length - 3)} (${reference})`;
  const when = change.at.toISOString();
  switch (change.kind) {
    case 'owner':
      // The owner is a property of the record; the CRM keeps its history, so no activity is added.
      return { ...base, stage: null, ownerEmail: input.ownerEmail, activity: null };
    case 'followUp':
      return {
        ...base,
        stage: change.stage,
        ownerEmail: null,
        activity: {
          subject: subject(`${FOLLOW_UP_WORDS[change.followUpKind]} logged in Slack by ${byName}`),
          body: [
            `${FOLLOW_UP_WORDS[change.followUpKind]} logged in Slack by ${byName} at ${when}.`,
            ...(change.nextStepOn === null ? [] : [`Next step planned for ${change.nextStepOn}.`]),
            ...(change.note === null ? [] : ['', 'Note:', change.note]),
          ].join('\n'),
        },
      };
    case 'stage':
      return {
        ...base,
        stage: change.stage,
        ownerEmail: null,
        activity: {
          subject: subject(`Stage ${change.stage}, set in Slack by ${byName}`),
          body: [
            `Stage set to ${change.stage} in Slack by ${byName} at ${when}.`,
            ...(change.reason === null ? [] : ['', 'Reason:', change.reason]),
          ].join('\n'),
        },
      };
  }
}
