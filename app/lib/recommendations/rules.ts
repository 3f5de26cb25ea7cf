import type { ShopSettings } from "../settings/settings-schema";
import type { StoredCard } from "../storefront-store/card";
import type { RecommendationRequest } from "./request";

/** Why a product may not be shown, or null when it may. */
export function ineligibility(
  card: StoredCard | undefined,
  request: RecommendationRequest,
  settings: ShopSettings,
  excluded: ReadonlySet<string>,
  excludedTags: ReadonlySet<string> = lowerCaseTags(settings),
): string | null {
  if (!card) return "unknown product";
  if (!card.visible) return "not published";
  if (card.giftCard) return "gift card";
  if (settings.hideOutOfStock && !card.available) return "out of stock";
  if (!card.variantId) return "no variant";
  if (card.id === request.productId && request.context === "product") return "the page's own product";
  if (request.cart.includes(card.id)) return "already in the cart";
  if (excluded.has(card.id)) return "excluded";
  if (excludedTags.size > 0 && card.tags.some((tag) => excludedTags.has(tag))) return "excluded tag";
  return null;
}

/*
 * Both sets are built once per settings object: serving keeps a shop's parsed settings for a
 * second, and rebuilding them on every request was a measurable share of its time.
 */
const tagSets = new WeakMap<ShopSettings, ReadonlySet<string>>();
const idSets = new WeakMap<ShopSettings, ReadonlySet<string>>();

/** The merchant's excluded tags, lower-cased as cards store theirs. */
export function lowerCaseTags(settings: ShopSettings): ReadonlySet<string> {
  let tags = tagSets.get(settings);
  if (!tags) tagSets.set(settings, (tags = new Set(settings.exclusions.tags.map((t) => t.toLowerCase()))));
  return tags;
}

/** Product ids the merchant excluded, directly or through a collection. */
export function excludedIds(settings: ShopSettings): ReadonlySet<string> {
  let ids = idSets.get(settings);
  if (!ids) {
    ids = new Set([...settings.exclusions.productIds, ...settings.exclusions.collectionProductIds]);
    idSets.set(settings, ids);
  }
  return ids;
}

/** Takes candidates one at a time, best first, and keeps the eligible ones up to the limit. */
export interface Picker {
  /** `card` is the candidate's card; null or undefined when it has none. */
  consider(id: string, card: StoredCard | null | undefined): void;
  full(): boolean;
  picked(): StoredCard[];
}

export function createPicker(
  request: RecommendationRequest,
  settings: ShopSettings,
  extraExcluded: ReadonlySet<string> = new Set(),
): Picker {
  const merchant = excludedIds(settings);
  const excluded = extraExcluded.size === 0 ? merchant : new Set([...merchant, ...extraExcluded]);
  return new RulePicker(request, settings, excluded, lowerCaseTags(settings));
}

/**
 * A class rather than an object of closures: one is made per storefront request, and methods on
 * a prototype cost nothing per instance (closures are allocated, and named, on every call).
 */
class RulePicker implements Picker {
  private readonly chosen = new Map<string, StoredCard>();

  constructor(
    private readonly request: RecommendationRequest,
    private readonly settings: ShopSettings,
    private readonly excluded: ReadonlySet<string>,
    private readonly tags: ReadonlySet<string>,
  ) {}

  consider(id: string, card: StoredCard | null | undefined): void {
    if (this.chosen.size >= this.request.limit || this.chosen.has(id)) return;
    if (!ineligibility(card ?? undefined, this.request, this.settings, this.excluded, this.tags))
      this.chosen.set(id, card!);
  }

  full(): boolean {
    return this.chosen.size >= this.request.limit;
  }

  picked(): StoredCard[] {
    return [...this.chosen.values()];
  }
}
