import type { CrmFieldMap } from '../domain/crm-fields.ts';
import type { Acceptance, Rotation, RotationMember } from '../domain/rotation.ts';
import type { RoutingRule } from '../domain/routing.ts';

/** Routing rules and rotations, shared by every bot process. */
export interface RulesStore {
  /** The routing rules in order (first match wins); empty when none were set. */
  routingRules(): Promise<readonly RoutingRule[]>;
  /** Replaces the rules, returning the ones they replaced. */
  setRoutingRules(rules: readonly RoutingRule[]): Promise<readonly RoutingRule[]>;
  /**
   * Applies `edit` to the current rules with an ETag-guarded write, re-reading and re-applying it when
   * another process changed them first: two admins editing at once both keep their edit. Whatever
   * `edit` throws is thrown, and nothing is written.
   */
  updateRoutingRules(
    edit: (current: readonly RoutingRule[]) => readonly RoutingRule[],
  ): Promise<{ before: readonly RoutingRule[]; after: readonly RoutingRule[] }>;
  /** The CRM field map in force (the rules document's `crm.fieldMap`); empty when none was set. */
  crmFieldMap(): Promise<CrmFieldMap>;
  /** Replaces the CRM field map, returning the one it replaced. */
  setCrmFieldMap(map: CrmFieldMap): Promise<CrmFieldMap>;
  /** Every channel's rotation, by channel id. */
  rotations(): Promise<Readonly<Record<string, readonly RotationMember[]>>>;
  /** The channel's rotation: members in order and whose turn is next; no members when it has none. */
  rotation(channel: string): Promise<Rotation>;
  /** Sets a channel's rotation (an empty list removes it); the next turn goes to the first rep. */
  setRotation(channel: string, userIds: readonly string[]): Promise<void>;
  /**
   * Writes a channel's rotation whole, in one write: its members as given (paused, away, weights and
   * caps included), its acceptance, and the next turn to the first rep. No members removes it.
   */
  replaceRotation(
    channel: string,
    members: readonly RotationMember[],
    acceptance: Acceptance | null,
  ): Promise<void>;
  /** Pauses or resumes a rep in every rotation they are in; returns the channels changed. */
  setPaused(userId: string, paused: boolean): Promise<readonly string[]>;
  /** Marks a rep away until `until` (null: back) in every rotation they are in; returns the channels. */
  setAway(userId: string, until: Date | null): Promise<readonly string[]>;
  /** Changes one rep of one channel's rotation (weight, cap); false when they are not in it. */
  updateMember(
    channel: string,
    userId: string,
    change: (member: RotationMember) => RotationMember,
  ): Promise<boolean>;
  /** Sets how the channel's assigned leads wait for acceptance (null: they do not); false without a rotation. */
  setAcceptance(channel: string, acceptance: Acceptance | null): Promise<boolean>;
  /** The rotation as it is now, with the version `advanceTurn` is conditional on; null when it has none. */
  readTurn(channel: string): Promise<{ rotation: Rotation; version: string } | null>;
  /**
   * Moves the next turn to `next`, only if the rotation is still at `version` (ETag-guarded): of two
   * processes giving the same turn, one writes and the other gets false and decides again.
   */
  advanceTurn(channel: string, version: string, next: number): Promise<boolean>;
}
