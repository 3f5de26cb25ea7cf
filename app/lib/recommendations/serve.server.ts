import { randomFillSync } from "node:crypto";
import type { Queue } from "bullmq";
import type { ProxyIdentity } from "../app-proxy/verify-signature";
import { publicCardJson, type StoredCard } from "../storefront-store/card";
import {
  MEMBERS_FRESH_MS,
  readCollectionMembers,
  type CollectionMembers,
} from "../storefront-store/collection-members.server";
import { requestCollectionMembers } from "../sync/collection-job.server";
import { collectionFirst } from "./collection-first";
import type { RecommendationRequest } from "./request";
import { createPicker } from "./rules";
import {
  strategyCandidates,
  type Candidate,
  type FallbackReason,
  type ServedStrategy,
  type Strategy,
} from "./strategy";
import { assignVisitor, reportExposure, type HoldoutDeps } from "./holdout.server";
import {
  fetchCards,
  readHead,
  readLists,
  type Head,
  type ListRef,
  type ServedRun,
} from "../storefront-store/store-cache.server";
import { recordCacheLookups } from "../metrics/definitions.server";
import { cacheNow } from "../storefront-store/cache-clock";
import { readShopState, type ShopState } from "../storefront-store/shop-state.server";

export interface ServeDeps extends HoldoutDeps {
  /** Where reads of a collection's products from Shopify are queued (the backfill queue, which also runs the other Admin API reads). */
  collectionsQueue: () => Queue;
}

export interface RecommendationResponse {
  recommendationId: string;
  /** The strategy asked for, and the one the answer was served with (they differ on a fallback). */
  requested: Strategy;
  strategy: ServedStrategy | null;
  /** Why the answer was served with another strategy than the one asked for. */
  fallback?: FallbackReason;
  /** The cards to show, in order; `renderRecommendations` turns them into the public JSON. */
  products: StoredCard[];
}

/** The response body: the recommendation id, the strategies and each card's public fields. */
export function renderRecommendations(response: RecommendationResponse): string {
  const products = response.products.map(publicCardJson).join(",");
  const fallback = response.fallback ? `,"fallback":"${response.fallback}"` : "";
  const served = response.strategy === null ? "null" : `"${response.strategy}"`;
  return `{"recommendationId":${JSON.stringify(response.recommendationId)},"requested":"${response.requested}","strategy":${served}${fallback},"products":[${products}]}`;
}

/** The shop never installed the app, or uninstalled it: it gets no recommendations. */
export class UnknownShopError extends Error {
  override name = "UnknownShopError";
  readonly status = 404;
}

/** Cards fetched per round: enough spares for the usual share of ineligible products. */
const spares = (limit: number) => limit * 2 + 4;
/** Rounds of card fetches at most: a shop whose lists are mostly ineligible gets fewer products, not a slow page. */
const ROUNDS = 2;

/**
 * Answers one storefront request from Redis (through the process cache) alone: the shop's state
 * and active run, the one stored list the request's strategy is served from (with its fallbacks,
 * in the same round trip), then the cards of its best eligible products. The database is read
 * only when the shop's state is not cached in Redis (its first request, or after a change).
 */
export async function serveRecommendations(
  deps: ServeDeps,
  identity: ProxyIdentity,
  request: RecommendationRequest,
): Promise<RecommendationResponse> {
  const { state, run } = await installedShop(deps, identity.shop);
  const assignment = await assignVisitor(deps, identity.shop, request.visitorId, state.settings);
  const control = assignment?.arm === "control";
  let products: StoredCard[] = [];
  let served: Pick<RecommendationResponse, "strategy" | "fallback"> = { strategy: null };
  // Control sees what the merchant chose in place of recommendations: nothing, or best-sellers.
  if (!control || state.settings.controlExperience === "best_sellers") {
    const chosen = run ? await readServedList(deps, identity, run, request, state, control) : null;
    if (chosen)
      served = chosen.fallback
        ? { strategy: chosen.strategy, fallback: chosen.fallback }
        : { strategy: chosen.strategy };
    const list = chosen?.ids ?? [];
    const onCollection = !control && request.context === "collection" && request.collectionId !== null;
    const members = onCollection ? await pageCollection(deps, identity.shop, request.collectionId!) : null;
    products = await pickWithCards(deps, identity.shop, { list, members }, request, state, chosen?.excluded ?? NOTHING);
  }
  const recommendationId = newRecommendationId();
  if (assignment) {
    const { shop, loggedInCustomerId } = identity;
    await reportExposure(deps, shop, request.visitorId!, loggedInCustomerId, assignment, recommendationId);
  }
  const response: RecommendationResponse = {
    recommendationId,
    requested: request.strategy,
    strategy: served.strategy,
    products,
  };
  if (served.fallback) response.fallback = served.fallback;
  return response;
}

/**
 * The shop's settings and active run, from the process cache or Redis; UnknownShopError for a
 * shop that is not installed. The storefront's routes (recommendations, events) all start here.
 */
export async function installedShop(
  deps: Pick<ServeDeps, "cache" | "redis" | "prefix" | "db">,
  shop: string,
): Promise<{ state: ShopState; run: ServedRun | null }> {
  const head = await readHead(deps.cache, deps.redis, deps.prefix, shop);
  const run = head.runId ? { id: head.runId, listsVersion: head.listsVersion } : null;
  return { state: await installedState(deps, shop, head), run };
}

/** Whether the shop has the app installed; throws only when that cannot be known. */
export function isInstalledShop(deps: Pick<ServeDeps, "cache" | "redis" | "prefix" | "db">, shop: string) {
  return installedShop(deps, shop).then(
    () => true,
    (error: unknown) => {
      if (error instanceof UnknownShopError) return false;
      throw error;
    },
  );
}

/** Parsed states of cached heads: a head is kept a second, and so is the object parsed from it. */
const parsedStates = new WeakMap<Head, ShopState | null>();

async function installedState(
  deps: Pick<ServeDeps, "redis" | "prefix" | "db">,
  shop: string,
  head: Head,
): Promise<ShopState> {
  let state = parsedStates.get(head);
  if (state === undefined) {
    // The cached state is "unknown" for a shop we looked up and did not find.
    state =
      head.state === null
        ? await readShopState(deps.db, deps.redis, deps.prefix, shop, null)
        : head.state === "unknown"
          ? null
          : (JSON.parse(head.state) as ShopState);
    if (head.state !== null) parsedStates.set(head, state);
  }
  if (!state?.installed) throw new UnknownShopError(`No installed shop ${shop}`);
  return state;
}

/**
 * A collection page's products, as the workers last read them; null before they are read. A
 * collection never read, or read too long ago, is queued for a read (a process asks at most
 * every 30 s); the page is served meanwhile, ranked as on the home page.
 */
async function pageCollection(deps: ServeDeps, shop: string, id: string) {
  const shopCollections = deps.cache.collections.scope(shop);
  let members = shopCollections.get(id) ?? null;
  if (!members) {
    // Only a read collection is kept: one not read yet is looked for again on the next request.
    members = await readCollectionMembers(deps.redis, deps.prefix, shop, id);
    if (members) shopCollections.set(id, members);
  }
  const requestKey = `${shop}\n${id}`;
  if (
    (!members || members.fetchedAt < cacheNow() - MEMBERS_FRESH_MS) &&
    !deps.cache.collectionRequests.get(requestKey)
  ) {
    deps.cache.collectionRequests.set(requestKey, true);
    // Not awaited: the shopper's answer does not wait for the queue. A failed add is tried again.
    requestCollectionMembers(deps.collectionsQueue(), shop, id).catch(() =>
      deps.cache.collectionRequests.delete(requestKey),
    );
  }
  return members;
}

const NOTHING: ReadonlySet<string> = new Set();
const toSet = (ids: string[]): ReadonlySet<string> => (ids.length === 0 ? NOTHING : new Set(ids));

interface ServedList {
  strategy: ServedStrategy;
  fallback?: FallbackReason;
  ids: readonly string[];
  /** Products the merchant does not want shown to this customer again (bought before). */
  excluded: ReadonlySet<string>;
}

/**
 * The first non-empty list of the request's strategy chain (strategy.ts), read with its
 * fallbacks in one pipeline. The control arm is only ever shown best sellers.
 */
async function readServedList(
  deps: ServeDeps,
  identity: ProxyIdentity,
  run: ServedRun,
  request: RecommendationRequest,
  state: ShopState,
  control: boolean,
): Promise<ServedList | null> {
  const customerId = identity.loggedInCustomerId;
  const { includePurchased } = state.settings;
  const candidates: Candidate[] = control
    ? [{ strategy: "best_sellers", ref: { kind: "bestsellers" } }]
    : strategyCandidates({
        strategy: request.strategy,
        customerId,
        productId: request.productId,
        cart: request.cart,
        history: request.history,
        includePurchased,
      });
  // Without the merchant's consent to show purchases again, a known customer's purchases are left
  // out of the related and popular lists too (their own new-for-you list holds none).
  const bought: ListRef | null =
    customerId && !includePurchased && !control ? { kind: "bought", id: customerId } : null;
  const refs = candidates.map((c) => c.ref);
  if (bought) refs.push(bought);
  const lists = await readLists(deps.cache, deps.redis, deps.prefix, identity.shop, run, refs);
  const excluded = bought ? toSet(lists[lists.length - 1]!) : NOTHING;
  for (let i = 0; i < candidates.length; i++) {
    const ids = lists[i]!;
    if (ids.length === 0) continue;
    const { strategy, reason } = candidates[i]!;
    return reason ? { strategy, fallback: reason, ids, excluded } : { strategy, ids, excluded };
  }
  return null;
}

/** The served list, and on a collection page the collection's products (null elsewhere). */
interface Ranking {
  list: readonly string[];
  members: CollectionMembers | null;
}

/**
 * The best `take` candidates, ranked as far as the cards being fetched reach: most requests need
 * only the first round. A plain function rather than a closure made per request.
 */
function rank({ list, members }: Ranking, take: number): readonly string[] {
  return members ? collectionFirst(list, members, take) : list.slice(0, take);
}

/**
 * Applies the business rules to the candidates, best first, until the limit. Cards come from
 * the process cache; at the first candidate whose card it lacks, the round's other unknown
 * cards are fetched with it in one round trip. Round r reaches (1 + … + r) × spares candidates:
 * a second round only when too many were ineligible.
 */
async function pickWithCards(
  deps: ServeDeps,
  shop: string,
  ranking: Ranking,
  request: RecommendationRequest,
  state: ShopState,
  alsoExcluded: ReadonlySet<string>,
): Promise<StoredCard[]> {
  const shopCards = deps.cache.cards.scope(shop);
  const pins = state.settings.pinnedProductIds;
  const picker = createPicker(request, state.settings, alsoExcluded);
  let at = 0;
  let cached = 0;
  for (let round = 1; round <= ROUNDS && !picker.full(); round++) {
    const reach = (spares(request.limit) * round * (round + 1)) / 2;
    const ranked = rank(ranking, Math.max(0, reach - pins.length));
    const wanted = pins.length === 0 ? ranked : [...pins, ...ranked];
    const end = Math.min(reach, wanted.length);
    const now = cacheNow();
    for (; at < end && !picker.full(); at++) {
      const id = wanted[at]!;
      let card = shopCards.get(id, now);
      if (card !== undefined) cached++;
      else {
        const unknown = wanted.slice(at, end).filter((other) => shopCards.get(other, now) === undefined);
        await fetchCards(deps.cache, deps.redis, deps.prefix, shop, unknown);
        card = shopCards.get(id, now);
      }
      picker.consider(id, card);
    }
    if (end < reach) break; // every candidate there is was considered
  }
  // Misses are counted where they are fetched (fetchCards).
  recordCacheLookups("card", cached, 0);
  return picker.picked();
}

/*
 * Random bytes drawn from a pool refilled 4 KB at a time: one getrandom call per ~450 ids rather
 * than one per request.
 */
const ID_BYTES = 9;
const pool = Buffer.alloc(4_096);
let poolOffset = pool.length;

/** Carried by the block's events and the cart line property, so sales can be attributed. */
export function newRecommendationId(): string {
  if (poolOffset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += ID_BYTES;
  return pool.toString("base64url", poolOffset - ID_BYTES, poolOffset);
}
