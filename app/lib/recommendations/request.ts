import { z } from "zod";
import { SHOPIFY_ID as ID } from "../shopify-id";
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

const contextSchema = z.enum(BLOCK_CONTEXTS).default("home");
const strategySchema = z.enum(STRATEGIES).default("for_you");
const limitSchema = z.coerce.number().int().optional();

export function parseRecommendationRequest(query: URLSearchParams): RecommendationRequest {
  const context = contextSchema.safeParse(query.get("context") ?? undefined);
  if (!context.success) {
    throw new BadRecommendationRequest(`context must be one of ${BLOCK_CONTEXTS.join(", ")}`);
  }
  const strategy = strategySchema.safeParse(query.get("strategy") || undefined);
  if (!strategy.success) {
    throw new BadRecommendationRequest(`strategy must be one of ${STRATEGIES.join(", ")}`);
  }
  const rawLimit = query.get("limit");
  const limit = limitSchema.safeParse(rawLimit === null || rawLimit === "" ? undefined : rawLimit);
  if (!limit.success) throw new BadRecommendationRequest("limit must be a whole number");
  const visitor = query.get("visitor");
  return {
    context: context.data,
    strategy: strategy.data,
    limit: Math.min(LIMIT_RANGE.max, Math.max(LIMIT_RANGE.min, limit.data ?? LIMIT_RANGE.fallback)),
    productId: idOrNull(query.get("product_id")),
    collectionId: idOrNull(query.get("collection_id")),
    cart: idList(query.get("cart"), CART_MAX),
    history: idList(query.get("history"), HISTORY_MAX),
    visitorId: visitor && /^[A-Za-z0-9_-]{8,64}$/.test(visitor) ? visitor : null,
  };
}
