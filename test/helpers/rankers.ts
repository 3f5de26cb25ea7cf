/** Small compositions of the domain's own parts, for tests that check one step in isolation. */
import { baselineScores, type BaselineInput, type BaselineName } from "../../app/lib/model/baselines";
import { topK } from "../../app/lib/model/rank";
import { createPicker } from "../../app/lib/recommendations/rules";
import type { RecommendationRequest } from "../../app/lib/recommendations/request";
import type { ShopSettings } from "../../app/lib/settings/settings-schema";
import type { StoredCard } from "../../app/lib/storefront-store/card";

/** A baseline's top k item indices. */
export function rankBaseline(name: BaselineName, input: BaselineInput, k: number, exclude?: ReadonlySet<number>) {
  const { scores, tiebreak } = baselineScores(name, input);
  return topK(scores, k, exclude, tiebreak);
}

/** Pins first, in the merchant's order, then the ranked candidates, through the serving picker. */
export function pickProducts(
  ranked: readonly string[],
  cards: ReadonlyMap<string, StoredCard>,
  request: RecommendationRequest,
  settings: ShopSettings,
  extraExcluded: ReadonlySet<string> = new Set(),
): StoredCard[] {
  const picker = createPicker(request, settings, extraExcluded);
  for (const id of settings.pinnedProductIds) picker.consider(id, cards.get(id));
  for (const id of ranked) {
    if (picker.full()) break;
    picker.consider(id, cards.get(id));
  }
  return picker.picked();
}
