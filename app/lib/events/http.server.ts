import {
  acceptEventBatch,
  EventsRefused,
  EventsUnavailable,
  recordRefusal,
  type EventsIntakeDeps,
} from "./intake.server";

export interface EventsHttpDeps extends EventsIntakeDeps {
  /** Largest body accepted. @defaultValue 16 KiB (EVENTS_MAX_BYTES) */
  maxBytes: number;
}

/** What the verified App Proxy query says about the request. */
export interface ProxyRequestIdentity {
  shop: string;
  /** Shopify's logged_in_customer_id: empty for anonymous shoppers. */
  loggedInCustomerId: string | null;
  /** Whether the shop has the app installed (an offline session exists). */
  installed: boolean;
}

const json = (status: number, body: object, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });

/**
 * Reads a body but never more than `maxBytes`: Content-Length first, then the stream is counted,
 * because the header may be missing or wrong.
 */
export async function readTextWithLimit(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () => new EventsRefused(413, "too_large", `The body is larger than ${maxBytes} bytes`);
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * POST /apps/affinity/events after the proxy signature was verified: 202 when queued, 4xx when
 * refused (and counted), 503 with Retry-After while Redis is down.
 */
export async function respondToEvents(
  deps: EventsHttpDeps,
  request: Request,
  identity: ProxyRequestIdentity,
): Promise<Response> {
  const customer = identity.loggedInCustomerId;
  try {
    if (!identity.installed) throw new EventsRefused(404, "unknown_shop", "This shop does not have Affinity installed");
    const body = await readTextWithLimit(request, deps.maxBytes);
    const customerId = customer && /^\d{1,20}$/.test(customer) ? customer : null;
    const { accepted } = await acceptEventBatch(deps, { shop: identity.shop, customerId, body });
    return json(202, { accepted });
  } catch (error) {
    if (error instanceof EventsRefused) {
      await recordRefusal(deps, identity.shop, error);
      return json(error.status, { error: error.message, reason: error.reason });
    }
    if (error instanceof EventsUnavailable) {
      deps.log.error("events.unavailable", { shop: identity.shop, error });
      return json(503, { error: "Events cannot be taken right now, retry later" }, { "Retry-After": "5" });
    }
    throw error;
  }
}

/** The proxy signature failed (the library answers 400): count it, then pass its answer on. */
export async function refuseBadSignature(deps: EventsIntakeDeps, error: unknown): Promise<never> {
  if (error instanceof Response) {
    await recordRefusal(deps, null, new EventsRefused(400, "bad_signature", "Bad App Proxy signature"));
  }
  throw error;
}
