import type { ArrivalDifference, ArrivalNote } from '../../domain/arrival.ts';
import { literalMrkdwn } from '../../domain/mrkdwn.ts';
import { SLACK_LIMITS, truncate } from './limits.ts';
import type { RenderedMessage } from './types.ts';

const FIELD_NAMES: Readonly<Record<ArrivalDifference['field'], string>> = {
  firstName: 'First name',
  lastName: 'Last name',
  email: 'E-mail',
  phone: 'Phone',
  company: 'Company',
  title: 'Title',
  country: 'Country',
  description: 'Note',
  offer: 'Offer',
};

/** Each value quoted exactly as written (never a mention, link or formatting), cut to stay readable. */
const value = (text: string | null) =>
  text === null || text.trim() === '' ? '(empty)' : `“${literalMrkdwn(truncate(text, 300))}”`;

/**
 * The thread note when the same lead came by the table and by the HTTPS endpoint: the table row is
 * Microsoft's own record, so it is named as such and each field the two disagree on is shown.
 */
export function renderArrivalNote(note: ArrivalNote): RenderedMessage {
  const lines = note.differences.map(
    (difference) =>
      `• *${FIELD_NAMES[difference.field]}*: Microsoft's table row says ${value(difference.table)}; the pushed copy says ${value(difference.pushed)}`,
  );
  const intro =
    note.later === 'table'
      ? `📋 Microsoft's table row for this lead arrived after a copy pushed to the HTTPS endpoint.${note.cardShowsTable ? ' The card now shows Microsoft’s record.' : ''}`
      : '📋 A copy of this lead was pushed to the HTTPS endpoint after Microsoft’s table row; the card keeps Microsoft’s record.';
  const body = lines.length === 0 ? 'Both say the same.' : `What differs:\n${lines.join('\n')}`;
  const text = truncate(`${intro}\n${body}`, SLACK_LIMITS.sectionText);
  return {
    text: truncate(text, SLACK_LIMITS.fallbackText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}
