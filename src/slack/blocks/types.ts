// Block Kit as Slack's own type package defines it (types only: renderers stay pure data).
import type {
  ActionsBlock,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  HomeView,
  ModalView,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
  UsersSelect,
} from '@slack/types';

export type { Button, HomeView, ModalView, UsersSelect };
export type PlainText = PlainTextElement;
export type Mrkdwn = MrkdwnElement;
export type TextObject = PlainText | Mrkdwn;

/** The blocks this bot renders in messages and the Home tab (modals add input blocks). */
export type Block = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | DividerBlock;

/** A rendered message: Block Kit plus the plain fallback Slack shows in notifications. */
export interface RenderedMessage {
  readonly text: string;
  readonly blocks: readonly Block[];
}

/** Context blocks may hold images too; this bot's hold text only. */
export const isTextObject = (element: { readonly type: string }): element is TextObject =>
  element.type === 'plain_text' || element.type === 'mrkdwn';
