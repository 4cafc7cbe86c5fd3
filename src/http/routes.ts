import { createServer, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';
import type { Health } from '../jobs/health.ts';
import type { Metrics } from '../metrics.ts';
import { failureField } from '../stores/failure.ts';
import { handleInboundLead, INBOUND_PATH_PREFIX, type InboundLeadDeps } from './inbound-leads.ts';

/**
 * `GET /healthz`, the readiness probe: 200 when ready, 503 while starting or while storage or Slack
 * fails, with the report (which holds no secret) naming each failing part.
 */
export function healthRoute(health: Health): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      const report = health.report();
      res.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(report));
    },
  };
}

/** `GET /livez`, the liveness probe: 200 while the process answers at all (restart it when it does not). */
export function liveRoute(): CustomRoute {
  return {
    path: '/livez',
    method: ['GET'],
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"live":true}');
    },
  };
}

/** `GET /metrics`: Prometheus' text format (docs/operations.md → Metrics). */
export function metricsRoute(metrics: Metrics): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (_req, res) => {
      metrics.render().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        },
        () => res.writeHead(500).end(),
      );
    },
  };
}

/** `POST /leads/inbound/<token>`: Microsoft's HTTPS-endpoint leads. */
export function inboundLeadRoute(deps: InboundLeadDeps): CustomRoute {
  return {
    path: `${INBOUND_PATH_PREFIX}:token`,
    method: ['POST'],
    handler: (req, res) => {
      handleInboundLead(req, res, deps).catch((error: unknown) => {
        deps.log.error('inbound lead handler failed', { error: failureField(error) });
        if (!res.headersSent) res.writeHead(500).end();
      });
    },
  };
}

/**
 * Every server of the bot closes a client that takes over 10 s to send its headers or 30 s to send its
 * request (checked every second): a slow-drip client cannot hold connections open. Slack's requests and
 * Microsoft's pushed leads are a few kilobytes, sent at once.
 */
export const SLOW_CLIENT_LIMITS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  connectionsCheckingInterval: 1_000,
} as const satisfies ServerOptions;

/** Local mode has no Bolt receiver: a plain server answers the same routes. */
export function serveRoutes(routes: readonly CustomRoute[]): Server {
  return createServer(SLOW_CLIENT_LIMITS, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    // `:name` segments match one path segment, as in Bolt's receivers.
    const matches = (pattern: string) =>
      new RegExp(`^${pattern.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(path);
    const route = routes.find(
      (candidate) => matches(candidate.path) && [candidate.method].flat().includes(req.method ?? ''),
    );
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    route.handler(Object.assign(req, { params: {} }), res);
  });
}

export async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
