import type { AcceptOutcome, OwnershipOutcome } from '../../domain/ownership.ts';
import { closedRefusalText } from './close.ts';
import { followUpBy } from './ownership-notes.ts';
import type { RenderedMessage } from './types.ts';

const reply = (text: string): RenderedMessage => ({
  text,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

/** The private answer to whoever pressed an ownership control. */
export function renderOwnershipReply(outcome: OwnershipOutcome, actor: string): RenderedMessage {
  switch (outcome.kind) {
    case 'changed': {
      const { kind, to } = outcome.event;
      if (kind === 'claim') return reply(`✅ You own this lead now.${followUpBy(outcome.conversation)}`);
      if (kind === 'release') return reply('↩️ You released this lead: it is unclaimed again.');
      return reply(`✅ <@${to}> owns this lead now; they got a direct message.`);
    }
    case 'alreadyOwned':
      return reply(
        outcome.owner === actor
          ? 'You already own this lead.'
          : `This lead is already owned by <@${outcome.owner}>.`,
      );
    case 'notOwned':
      return reply('Nobody owns this lead: press *Claim* to take it.');
    case 'notAllowed':
      return reply(
        `Only its owner <@${outcome.owner}>, a manager or an admin can hand over or release this lead.`,
      );
    case 'unchanged':
      return reply('That person already owns this lead.');
    case 'closed':
      return reply(closedRefusalText(outcome.closure));
    case 'notFound':
      return reply('⚠️ This lead no longer exists in the bot’s records, so nothing was changed.');
  }
}

/** The private answer to Accept. */
export function renderAcceptReply(outcome: AcceptOutcome): RenderedMessage {
  switch (outcome.kind) {
    case 'accepted':
      return reply('👍 Accepted: the lead is yours, and the rotation will not pass it on.');
    case 'alreadyAccepted':
      return reply('You accepted this lead already.');
    case 'notYours':
      return reply(
        outcome.owner === null
          ? 'Nobody owns this lead now (it was passed on): press *Claim* on it to take it.'
          : `This lead is with <@${outcome.owner}> now, so only they can accept it.`,
      );
    case 'closed':
      return reply('This lead is closed, so there is nothing to accept.');
    case 'notFound':
      return reply('⚠️ This lead no longer exists in the bot’s records, so nothing was changed.');
  }
}

/** The answer to a click whose value could not be read (a forged, old or damaged message). */
export function renderUnreadableAction(): RenderedMessage {
  return reply('⚠️ This button could not be read (the message may be out of date), so nothing was changed.');
}
