import { z } from "zod";
import { SHOPIFY_ID as ID } from "../shopify-id";
import type { QueryParams } from "../app-proxy/proxy-query";
import { STRATEGIES, type Strategy } from "./strategy";

/** Where the block sits; product and cart pages pass what the shopper is looking at. */
export const BLOCK_CONTEXTS = ["product", "cart", "home", "collection"] as const;
export type BlockContext = (typeof BLOCK_CONTEXTS)[number];

export const LIMIT_RANGE = { min: 2, max: 12, fallback: 4 } as const;
/** The block keeps 20 viewed products; more is ignored rather than refused. */
export const HISTORY_MAX = 20;
export const CART_MAX = 50;

export interface RecommendationRequest {
  context: BlockContext;
  /** Which list to serve (strategy.ts). @defaultValue "for_you" */
  strategy: Strategy;
  limit: number;
  productId: string | null;
  collectionId: string | null;
  /** Product ids in the cart: never recommended back. */
  cart: string[];
  /** Recently viewed product ids, newest first. */
  history: string[];
  /** The block's first-party visitor id, for the holdout assignment. */
  visitorId: string | null;
}

/** The request cannot be answered sensibly (as opposed to a value we can clamp or drop). */
export class BadRecommendationRequest extends Error {
  override name = "BadRecommendationRequest";
  readonly status = 400;
}

const idOrNull = (value: string | null) => (value && ID.test(value) ? value : null);

/** Comma-separated ids: malformed ones and repeats are dropped, the rest capped. */
function idList(value: string | null, max: number): string[] {
  if (!value) return [];
  const ids = new Set<string>();
  // Split at most a bounded prefix, so a huge parameter costs no more than a normal one.
  for (const part of value.slice(0, max * 24).split(",")) {
    if (ids.size >= max) break;
    if (ID.test(part)) ids.add(part);
  }
  return [...ids];
}

/**
 * The rules for the three fields that can refuse a request, as zod schemas: the reference that
 * `parseRecommendationRequest`'s hand-written checks are held to (test/unit/recommendations/
 * request-rules.test.ts compares both on good and bad inputs). The hot path checks by hand
 * because zod's safeParse builds a result object, and on failure an issues list, for every field
 * of every storefront request (ADR 015).
 */
export const requestRules = {
  context: z.enum(BLOCK_CONTEXTS).default("home"),
  strategy: z.enum(STRATEGIES).default("for_you"),
  limit: z.coerce.number().int().optional(),
};

const CONTEXT_ERROR = `context must be one of ${BLOCK_CONTEXTS.join(", ")}`;
const STRATEGY_ERROR = `strategy must be one of ${STRATEGIES.join(", ")}`;
const LIMIT_ERROR = "limit must be a whole number";
const VISITOR = /^[A-Za-z0-9_-]{8,64}$/;

const isContext = (value: string): value is BlockContext => (BLOCK_CONTEXTS as readonly string[]).includes(value);
const isStrategy = (value: string): value is Strategy => (STRATEGIES as readonly string[]).includes(value);

/**
 * The request's `limit` as requestRules.limit reads it: absent or empty is undefined; otherwise
 * `Number(raw)` (z.coerce), which must be an integer zod accepts (a safe integer: zod 4's `int`).
 */
function limitOf(raw: string | null): number | undefined {
  if (raw === null || raw === "") return undefined;
  const limit = Number(raw);
  if (!Number.isSafeInteger(limit)) throw new BadRecommendationRequest(LIMIT_ERROR);
  return limit;
}

export function parseRecommendationRequest(query: QueryParams): RecommendationRequest {
  // Absent: the default; present, even empty, it must be one of the contexts.
  const rawContext = query.get("context");
  const context = rawContext === null ? "home" : rawContext;
  if (!isContext(context)) throw new BadRecommendationRequest(CONTEXT_ERROR);
  // Absent or empty: the default.
  const strategy = query.get("strategy") || "for_you";
  if (!isStrategy(strategy)) throw new BadRecommendationRequest(STRATEGY_ERROR);
  const limit = limitOf(query.get("limit"));
  const visitor = query.get("visitor");
  return {
    context,
    strategy,
    limit: Math.min(LIMIT_RANGE.max, Math.max(LIMIT_RANGE.min, limit ?? LIMIT_RANGE.fallback)),
    productId: idOrNull(query.get("product_id")),
    collectionId: idOrNull(query.get("collection_id")),
    cart: idList(query.get("cart"), CART_MAX),
    history: idList(query.get("history"), HISTORY_MAX),
    visitorId: visitor && VISITOR.test(visitor) ? visitor : null,
  };
}

/**
 * The same fields read through requestRules (zod), as parseRecommendationRequest read them before
 * its checks were written by hand: what the test holds the hand-written checks to.
 */
export function parseWithRules(query: QueryParams): RecommendationRequest {
  const context = requestRules.context.safeParse(query.get("context") ?? undefined);
  if (!context.success) throw new BadRecommendationRequest(CONTEXT_ERROR);
  const strategy = requestRules.strategy.safeParse(query.get("strategy") || undefined);
  if (!strategy.success) throw new BadRecommendationRequest(STRATEGY_ERROR);
  const rawLimit = query.get("limit");
  const limit = requestRules.limit.safeParse(rawLimit === null || rawLimit === "" ? undefined : rawLimit);
  if (!limit.success) throw new BadRecommendationRequest(LIMIT_ERROR);
  const visitor = query.get("visitor");
  return {
    context: context.data,
    strategy: strategy.data,
    limit: Math.min(LIMIT_RANGE.max, Math.max(LIMIT_RANGE.min, limit.data ?? LIMIT_RANGE.fallback)),
    productId: idOrNull(query.get("product_id")),
    collectionId: idOrNull(query.get("collection_id")),
    cart: idList(query.get("cart"), CART_MAX),
    history: idList(query.get("history"), HISTORY_MAX),
    visitorId: visitor && VISITOR.test(visitor) ? visitor : null,
  };
}
