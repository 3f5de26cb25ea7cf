import type { IncomingMessage, ServerResponse } from "node:http";
import { InvalidProxySignatureError, proxyQuery, verifyAppProxyQuery } from "../app-proxy/verify-signature";
import type { Logger } from "../logger.server";
import { recordRecommendation } from "../metrics/definitions.server";
import { BadRecommendationRequest, parseRecommendationRequest } from "../recommendations/request";
import {
  renderRecommendations,
  serveRecommendations,
  UnknownShopError,
  type ServeDeps,
} from "../recommendations/serve.server";
import { createSeenRecorder } from "../storefront-store/seen.server";
import { liquidCandidates, renderRecommendationsLiquidBytes } from "../recommendations/storefront-liquid";

export interface RecommendationsEndpointDeps extends ServeDeps {
  secret: string;
  /** Whether Redis can take commands now; while it cannot, the answer is 503 at once. */
  connected: () => Promise<boolean>;
  log: Logger;
}

// Answers differ per shopper: neither Shopify's proxy nor the browser may reuse them.
const HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" };
/** Shopify's App Proxy renders an `application/liquid` answer in the storefront's context. */
const LIQUID = { "Content-Type": "application/liquid" };
/** The Liquid answer's headers, merged once rather than on every request. */
const LIQUID_HEADERS = { ...HEADERS, ...LIQUID };

/** Writes the answer and records its status and the time since `started` (performance.now()). */
function answer(
  res: ServerResponse,
  started: number,
  status: number,
  body: object | string | Buffer,
  headers?: Record<string, string>,
) {
  res.writeHead(status, headers === LIQUID ? LIQUID_HEADERS : headers ? { ...HEADERS, ...headers } : HEADERS);
  res.end(typeof body === "string" || body instanceof Buffer ? body : JSON.stringify(body));
  recordRecommendation(status, started);
}

class RedisDownError extends Error {}

/**
 * GET /apps/affinity/recommendations, as forwarded by Shopify's App Proxy. A lean path outside
 * Remix, like the webhook intake: verify, parse, answer from Redis (docs/decisions/009).
 * Every refusal carries no data, and the block hides itself on any non-2xx.
 */
export function createRecommendationsEndpoint(deps: RecommendationsEndpointDeps) {
  const recordSeen = createSeenRecorder(deps.redis, deps.prefix);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    if (req.method !== "GET") return answer(res, started, 405, { error: "Use GET" }, { Allow: "GET" });
    let shop: string | undefined;
    try {
      const query = proxyQuery(req.url);
      const identity = verifyAppProxyQuery(query, deps.secret);
      shop = identity.shop;
      const request = parseRecommendationRequest(query);
      if (!(await deps.connected())) throw new RedisDownError();
      if (query.get("format") === "liquid") {
        // Storefront context (ADR 012): spares for products the shopper's market drops.
        // The request object is this call's own: asking for more candidates needs no copy of it.
        const shown = request.limit;
        request.limit = liquidCandidates(shown);
        const served = await serveRecommendations(deps, identity, request);
        answer(res, started, 200, renderRecommendationsLiquidBytes(served, shown), LIQUID);
      } else answer(res, started, 200, renderRecommendations(await serveRecommendations(deps, identity, request)));
      recordSeen(identity.shop);
    } catch (error) {
      const [status, message] = refusal(error);
      if (status >= 500) deps.log.error("recommendations.failed", { shop, status, error });
      else deps.log.info("recommendations.refused", { shop, status, reason: message });
      answer(res, started, status, { error: message }, status === 503 ? { "Retry-After": "5" } : undefined);
    }
  };
}

function refusal(error: unknown): [number, string] {
  if (error instanceof InvalidProxySignatureError) return [error.status, error.message];
  if (error instanceof BadRecommendationRequest) return [400, error.message];
  if (error instanceof UnknownShopError) return [404, "Unknown shop"];
  if (error instanceof RedisDownError || isRedisFailure(error))
    return [503, "Recommendations are unavailable, retry later"];
  return [500, "Internal error"];
}

/** ioredis's own failures (connection lost, command timed out), as opposed to our bugs. */
function isRedisFailure(error: unknown): boolean {
  const name = (error as Error)?.name ?? "";
  const message = (error as Error)?.message ?? "";
  return name === "MaxRetriesPerRequestError" || /Connection is closed|Command timed out|ECONNREFUSED/.test(message);
}
