import type { DeliveryStore } from '../stores/delivery-store.ts';
import { type DeliveryPlace, MAX_CLOCK_SKEW_MS, type SlackPort } from './slack-port.ts';

export interface DeliverOnceDeps {
  readonly deliveries: DeliveryStore;
  readonly slack: SlackPort;
  readonly clock: () => Date;
}

/**
 * Sends one message once across processes and crashes: begun before it is sent, finished after. A
 * delivery begun by an attempt that never finished (killed, or Slack's answer lost) is looked for by its
 * key in Slack, from `decidedAt` (when the send was decided, by any process's clock) on, before it is
 * sent again.
 */
export async function deliverOnce(
  delivery: string,
  decidedAt: Date,
  place: DeliveryPlace,
  send: (delivery: string) => Promise<void>,
  deps: DeliverOnceDeps,
): Promise<void> {
  const state = await deps.deliveries.begin(delivery, deps.clock());
  if (state === 'sent') return;
  const oldest = new Date(decidedAt.getTime() - MAX_CLOCK_SKEW_MS);
  if (state === 'unknown' && (await deps.slack.findDelivery(delivery, place, oldest))) {
    await deps.deliveries.finish(delivery);
    return;
  }
  await send(delivery);
  await deps.deliveries.finish(delivery);
}
