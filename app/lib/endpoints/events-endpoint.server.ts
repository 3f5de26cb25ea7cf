import type { IncomingMessage, ServerResponse } from "node:http";
import { SHOPIFY_ID } from "../shopify-id";
import { InvalidProxySignatureError, proxyQuery, verifyAppProxyQuery } from "../app-proxy/verify-signature";
import { BodyTooLargeError, readBodyWithLimit } from "../http/read-body.server";
import {
  acceptEventBatch,
  EventsRefused,
  EventsUnavailable,
  recordRefusal,
  type EventsIntakeDeps,
} from "../events/event-batch.server";

export interface EventsHttpDeps extends EventsIntakeDeps {
  /** Largest body accepted. @defaultValue 16 KiB (EVENTS_MAX_BYTES) */
  maxBytes: number;
}

/** What the verified App Proxy query says about the request. */
export interface ProxyRequestIdentity {
  shop: string;
  /** Shopify's logged_in_customer_id: empty for anonymous shoppers. */
  loggedInCustomerId: string | null;
  /** Whether the shop has the app installed. */
  installed: boolean;
}

export interface EventsAnswer {
  status: number;
  body: object;
  headers: Record<string, string>;
}

const reply = (status: number, body: object, headers: Record<string, string> = {}): EventsAnswer => ({
  status,
  body,
  headers: { "Cache-Control": "no-store", ...headers },
});

/**
 * One events POST after the proxy signature was verified: 202 when queued, 4xx when refused (and
 * counted), 503 with Retry-After while Redis is down. `readBody` enforces the size limit.
 */
export async function respondToEvents(
  deps: EventsHttpDeps,
  readBody: (maxBytes: number) => Promise<Buffer>,
  identity: ProxyRequestIdentity,
): Promise<EventsAnswer> {
  const customer = identity.loggedInCustomerId;
  try {
    if (!identity.installed) throw new EventsRefused(404, "unknown_shop", "This shop does not have Affinity installed");
    const body = await readBody(deps.maxBytes).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) throw new EventsRefused(413, "too_large", error.message);
      throw error;
    });
    const customerId = customer && SHOPIFY_ID.test(customer) ? customer : null;
    const { accepted } = await acceptEventBatch(deps, { shop: identity.shop, customerId, body: body.toString("utf8") });
    return reply(202, { accepted });
  } catch (error) {
    if (error instanceof EventsRefused) {
      await recordRefusal(deps, identity.shop, error);
      return reply(error.status, { error: error.message, reason: error.reason });
    }
    if (error instanceof EventsUnavailable) {
      deps.log.error("events.unavailable", { shop: identity.shop, error });
      return reply(503, { error: "Events cannot be taken right now, retry later" }, { "Retry-After": "5" });
    }
    throw error;
  }
}

export interface EventsEndpointDeps extends EventsHttpDeps {
  secret: string;
  /** Whether the shop has the app installed; throws when that cannot be known (Redis down). */
  isInstalled: (shop: string) => Promise<boolean>;
}

function send(res: ServerResponse, answer: EventsAnswer) {
  res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

/**
 * POST /apps/affinity/events, as forwarded by Shopify's App Proxy: a lean path outside Remix,
 * like the recommendations route. The signature is checked with node:crypto and the shop's
 * installed state comes from the serving cache, so a beacon costs no database read.
 */
export function createEventsEndpoint(deps: EventsEndpointDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") return send(res, reply(405, { error: "Use POST" }, { Allow: "POST" }));
    let shop: string | null = null;
    try {
      const query = proxyQuery(req.url);
      const identity = verifyAppProxyQuery(query, deps.secret);
      shop = identity.shop;
      const installed = await deps.isInstalled(identity.shop);
      send(res, await respondToEvents(deps, (max) => readBodyWithLimit(req, max), { ...identity, installed }));
    } catch (error) {
      if (error instanceof InvalidProxySignatureError) {
        req.resume();
        const refused = new EventsRefused(error.status, "bad_signature", error.message);
        await recordRefusal(deps, null, refused);
        return send(res, reply(refused.status, { error: refused.message, reason: refused.reason }));
      }
      deps.log.error("events.failed", { shop, error });
      // Most failures here are Redis going away under a request; anything else is our bug.
      if (await deps.connected()) return send(res, reply(500, { error: "Internal error" }));
      send(res, reply(503, { error: "Events cannot be taken right now, retry later" }, { "Retry-After": "5" }));
    }
  };
}
