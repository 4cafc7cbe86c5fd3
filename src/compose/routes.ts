import type { CustomRoute } from '@slack/bolt';
import type { Config } from '../config.ts';
import { healthRoute, inboundLeadRoute, liveRoute, metricsRoute } from '../http/routes.ts';
import type { Health } from '../jobs/health.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Stores } from './storage.ts';

/**
 * The HTTP routes beside Slack's requests: the probes and metrics (on PORT, or on METRICS_PORT apart
 * from the public ingress) and Microsoft's HTTPS lead endpoint when INBOUND_LEADS_TOKEN is set.
 */
export function composeRoutes(
  config: Config,
  context: {
    readonly stores: Stores;
    readonly health: Health;
    readonly metrics: Metrics;
    readonly clock: () => Date;
    readonly log: Logger;
    /** Asks for a poll now: a pushed lead is posted within seconds. */
    readonly nudge: () => void;
  },
): { readonly publicRoutes: CustomRoute[]; readonly probeRoutes: CustomRoute[] } {
  const probeRoutes = [healthRoute(context.health), liveRoute(), metricsRoute(context.metrics)];
  const publicRoutes = config.metricsPort === null ? [...probeRoutes] : [];
  if (config.inboundLeadsToken !== null)
    publicRoutes.push(
      inboundLeadRoute({
        token: config.inboundLeadsToken,
        writer: context.stores.leadTableWriter,
        pushRates: context.stores.pushRates,
        nudge: context.nudge,
        clock: context.clock,
        log: context.log.child({ component: 'inbound' }),
      }),
    );
  return { publicRoutes, probeRoutes };
}
