import { fitMessage } from '../blocks/limits.ts';
import type { RenderedMessage } from '../blocks/types.ts';

/**
 * A private (ephemeral) answer, within Slack's limits whatever the user typed. `replaceOriginal` is for
 * answers to a click on a message (true: the answer takes the clicked message's place).
 */
export function privately(message: RenderedMessage, options: { readonly replaceOriginal?: boolean } = {}) {
  return {
    response_type: 'ephemeral' as const,
    ...(options.replaceOriginal === undefined ? {} : { replace_original: options.replaceOriginal }),
    ...fitMessage(message),
  };
}
