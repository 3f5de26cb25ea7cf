import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { ProxyIdentity } from "../app-proxy/verify-signature";
import type { Db } from "../db.server";
import { parseList, recsKey } from "../serving/lists.server";
import { publicCard, type ProductCard, type StoredCard } from "./cards";
import { readCards } from "./cards.server";
import { fuseLists, relatedSeeds, weightedSources, type SourceLists } from "./fuse";
import type { RecommendationRequest } from "./request";
import { pickProducts } from "./rules";
import { readShopState, stateKey, type ShopState } from "./shop-state.server";

export interface ServeDeps {
  db: Db;
  redis: Redis;
  prefix: string;
}

export interface RecommendationResponse {
  recommendationId: string;
  products: ProductCard[];
}

/** The shop never installed the app, or uninstalled it: it gets no recommendations. */
export class UnknownShopError extends Error {
  override name = "UnknownShopError";
  readonly status = 404;
}

/** Cards fetched per round: enough spares for the usual share of ineligible products. */
const spares = (limit: number) => limit * 3 + 8;

/**
 * Answers one storefront request from Redis alone: the shop's state and active run, then the
 * lists the request needs, then the cards of the best candidates. The database is read only when
 * the shop's state is not cached (its first request, or after a change).
 */
export async function serveRecommendations(
  deps: ServeDeps,
  identity: ProxyIdentity,
  request: RecommendationRequest,
): Promise<RecommendationResponse> {
  const { redis, prefix } = deps;
  const [cachedState, runId] = await redis.mget(
    stateKey(prefix, identity.shop),
    recsKey(prefix, identity.shop, "active"),
  );
  const state = await readShopState(deps.db, redis, prefix, identity.shop, cachedState ?? null);
  if (!state?.installed) throw new UnknownShopError(`No installed shop ${identity.shop}`);
  const lists = runId ? await readSourceLists(deps, identity, runId, request) : emptyLists();
  const ranked = fuseLists(weightedSources(request, lists));
  const products = await pickWithCards(deps, identity.shop, ranked, request, state);
  return { recommendationId: newRecommendationId(), products: products.map(publicCard) };
}

const emptyLists = (): SourceLists => ({ personal: [], related: new Map(), popular: [] });

async function readSourceLists(
  { redis, prefix }: ServeDeps,
  identity: ProxyIdentity,
  runId: string,
  request: RecommendationRequest,
): Promise<SourceLists> {
  const key = (kind: string) => recsKey(prefix, identity.shop, runId, kind);
  const seeds = relatedSeeds(request);
  const pipeline = redis.pipeline().get(key("popular"));
  if (identity.loggedInCustomerId) pipeline.hget(key("for"), identity.loggedInCustomerId);
  if (seeds.length > 0) pipeline.hmget(key("related"), ...seeds);
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  const values = replies.map(([, value]) => value);
  const popular = parseList(values.shift() as string | null);
  const personal = identity.loggedInCustomerId ? parseList(values.shift() as string | null) : [];
  const relatedValues = seeds.length > 0 ? (values.shift() as (string | null)[]) : [];
  const related = new Map(seeds.map((id, i) => [id, parseList(relatedValues[i])]));
  return { personal, related, popular };
}

/** Applies the business rules, fetching more cards if too many candidates were ineligible. */
async function pickWithCards(
  { redis, prefix }: ServeDeps,
  shop: string,
  ranked: string[],
  request: RecommendationRequest,
  state: ShopState,
): Promise<StoredCard[]> {
  const cards = new Map<string, StoredCard>();
  const wanted = [...state.settings.pinnedProductIds, ...ranked];
  let fetched = 0;
  let picked: StoredCard[] = [];
  // Two rounds at most: a shop whose lists are mostly ineligible gets fewer products, not a slow page.
  for (let round = 0; round < 2 && fetched < wanted.length; round++) {
    const batch = wanted.slice(fetched, fetched + spares(request.limit) * (round + 1));
    fetched += batch.length;
    for (const [id, card] of await readCards(redis, prefix, shop, batch)) cards.set(id, card);
    picked = pickProducts(ranked, cards, request, state.settings);
    if (picked.length >= request.limit) break;
  }
  return picked;
}

/** Carried by the block's events and the cart line property, so sales can be attributed. */
function newRecommendationId(): string {
  return randomBytes(9).toString("base64url");
}
