import { type AwayStatuses, type UserProfile, unavailableBy } from '../domain/availability.ts';
import type { Conversation } from '../domain/conversation.ts';
import { type Rotation, type SkipReason, skipReason, type Unavailable } from '../domain/rotation.ts';
import type { RulesStore } from '../stores/rules-store.ts';
import { changeOwner, type OwnershipDeps } from './change-owner.ts';
import type { SlackPort } from './slack-port.ts';

export interface AssignDeps extends OwnershipDeps {
  readonly rules: RulesStore;
  /** The reps of a rotation whose Slack profile keeps them out now (see rotationAvailability). */
  readonly availability: RotationAvailability;
}

export type RotationAvailability = (rotation: Rotation, now: Date) => Promise<Unavailable>;

/**
 * Tells which reps of a rotation their Slack profile keeps out now: an away status (AWAY_STATUSES), a
 * deactivated account. Each rep's profile is read at most once for the life of the returned function
 * (one poll: a backlog of a thousand leads does not ask Slack a thousand times per rep, and a status
 * change shows at the next poll). A profile Slack cannot give counts as available: a lead is better
 * assigned to a rep who may be away than not at all.
 */
export function rotationAvailability(deps: {
  readonly slack: Pick<SlackPort, 'userProfile'>;
  readonly awayStatuses: AwayStatuses;
}): RotationAvailability {
  const profiles = new Map<string, Promise<UserProfile | null>>();
  const profileOf = (userId: string) => {
    let profile = profiles.get(userId);
    if (profile === undefined) {
      profile = deps.slack.userProfile(userId).catch(() => null);
      profiles.set(userId, profile);
    }
    return profile;
  };
  return async (rotation, now) => {
    const candidates = rotation.members.filter((member) => skipReason(member, now) === null);
    const verdicts = await Promise.all(
      candidates.map(async ({ userId }) => {
        const profile = await profileOf(userId);
        return [userId, profile && unavailableBy(profile, deps.awayStatuses)] as const;
      }),
    );
    return new Map(
      verdicts.filter((verdict): verdict is readonly [string, SkipReason] => verdict[1] !== null),
    );
  };
}

/**
 * Gives a new, unowned conversation to the next rep of its channel's rotation who is available (not
 * paused, not away, no away status in Slack, not deactivated). Without a rotation (or with nobody
 * available) the lead waits to be claimed. Returns the assignee, or null.
 */
export async function assignFromRotation(
  conversation: Conversation,
  deps: AssignDeps,
): Promise<string | null> {
  if (conversation.owner !== null || conversation.channel === null) return null;
  const now = deps.clock();
  const rotation = await deps.rules.rotation(conversation.channel);
  if (rotation.members.length === 0) return null;
  const assignee = await deps.rules.takeTurn(
    conversation.channel,
    now,
    await deps.availability(rotation, now),
  );
  if (assignee === null) return null;
  const outcome = await changeOwner(conversation.id, { kind: 'assign', to: assignee }, deps);
  return outcome.kind === 'changed' ? assignee : null;
}
