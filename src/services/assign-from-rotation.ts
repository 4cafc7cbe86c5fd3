import type { Conversation } from '../domain/conversation.ts';
import type { RulesStore } from '../stores/rules-store.ts';
import { changeOwner, type OwnershipDeps } from './change-owner.ts';

export interface AssignDeps extends OwnershipDeps {
  readonly rules: RulesStore;
}

/**
 * Gives a new, unowned conversation to the next rep of its channel's rotation. Without a rotation (or
 * with every rep paused) the lead waits to be claimed. Returns the assignee, or null.
 */
export async function assignFromRotation(
  conversation: Conversation,
  deps: AssignDeps,
): Promise<string | null> {
  if (conversation.owner !== null || conversation.channel === null) return null;
  const assignee = await deps.rules.takeTurn(conversation.channel, deps.clock());
  if (assignee === null) return null;
  const outcome = await changeOwner(conversation.id, { kind: 'assign', to: assignee }, deps);
  return outcome.kind === 'changed' ? assignee : null;
}
