import type { ShopSettings } from "../settings/schema";
import type { StoredCard } from "./cards";
import type { RecommendationRequest } from "./request";

/** Why a product may not be shown, or null when it may. */
export function ineligibility(
  card: StoredCard | undefined,
  request: RecommendationRequest,
  settings: ShopSettings,
  excluded: ReadonlySet<string>,
): string | null {
  if (!card) return "unknown product";
  if (!card.visible) return "not published";
  if (card.giftCard) return "gift card";
  if (settings.hideOutOfStock && !card.available) return "out of stock";
  if (!card.variantId) return "no variant";
  if (card.id === request.productId && request.context === "product") return "the page's own product";
  if (request.cart.includes(card.id)) return "already in the cart";
  if (excluded.has(card.id)) return "excluded";
  const tags = settings.exclusions.tags.map((t) => t.toLowerCase());
  if (card.tags.some((tag) => tags.includes(tag))) return "excluded tag";
  return null;
}

/** Product ids the merchant excluded, directly or through a collection. */
export function excludedIds(settings: ShopSettings): Set<string> {
  return new Set([...settings.exclusions.productIds, ...settings.exclusions.collectionProductIds]);
}

/**
 * The products to show: eligible pins first, in the merchant's order, then the ranked
 * candidates, without repeats, up to the limit.
 */
export function pickProducts(
  ranked: readonly string[],
  cards: ReadonlyMap<string, StoredCard>,
  request: RecommendationRequest,
  settings: ShopSettings,
  extraExcluded: ReadonlySet<string> = new Set(),
): StoredCard[] {
  const excluded = new Set([...excludedIds(settings), ...extraExcluded]);
  const picked = new Map<string, StoredCard>();
  for (const id of [...settings.pinnedProductIds, ...ranked]) {
    if (picked.size >= request.limit) break;
    const card = cards.get(id);
    if (picked.has(id) || ineligibility(card, request, settings, excluded)) continue;
    picked.set(id, card!);
  }
  return [...picked.values()];
}
