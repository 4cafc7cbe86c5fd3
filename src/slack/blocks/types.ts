// The subset of Block Kit this bot renders. Declared here rather than imported from Slack's packages so
// that renderers stay pure data (see biome.json: renderers may not import Slack's client).

export interface PlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

export interface Mrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
}

export type TextObject = PlainText | Mrkdwn;

export interface ButtonElement {
  readonly type: 'button';
  readonly action_id: string;
  readonly text: PlainText;
  readonly value?: string;
  readonly style?: 'primary' | 'danger';
  readonly url?: string;
}

export interface UsersSelectElement {
  readonly type: 'users_select';
  readonly action_id: string;
  readonly placeholder: PlainText;
}

export type ActionElement = ButtonElement | UsersSelectElement;

export type Block =
  | { readonly type: 'header'; readonly text: PlainText; readonly block_id?: string }
  | {
      readonly type: 'section';
      readonly text?: TextObject;
      readonly fields?: readonly TextObject[];
      readonly block_id?: string;
    }
  | { readonly type: 'context'; readonly elements: readonly TextObject[]; readonly block_id?: string }
  | { readonly type: 'actions'; readonly elements: readonly ActionElement[]; readonly block_id?: string }
  | { readonly type: 'divider' };

/** A rendered message: Block Kit plus the plain fallback Slack shows in notifications. */
export interface RenderedMessage {
  readonly text: string;
  readonly blocks: readonly Block[];
}
