/** Which scorer is served: the network only when it ranks better than every baseline. */
import type { ChurnMetrics } from "./metrics";

export type ServedKind = "model" | "recency" | "rfm";

export interface Promotion {
  served: ServedKind;
  reason: string;
}

export function choosePromotion(
  model: ChurnMetrics | null,
  baselines: Record<"recency" | "rfm", ChurnMetrics>,
  skipReason?: string,
): Promotion {
  const best = (Object.entries(baselines) as ["recency" | "rfm", ChurnMetrics][]).reduce((a, b) =>
    b[1].auc > a[1].auc ? b : a,
  );
  if (!model) return { served: best[0], reason: skipReason ?? "no model was trained" };
  if (Number.isNaN(model.auc))
    return { served: best[0], reason: "the evaluation window has only one outcome, AUC undefined" };
  if (model.auc > best[1].auc) {
    return { served: "model", reason: `model AUC ${model.auc.toFixed(3)} beats ${best[0]} ${best[1].auc.toFixed(3)}` };
  }
  return {
    served: best[0],
    reason: `model AUC ${model.auc.toFixed(3)} does not beat ${best[0]} ${best[1].auc.toFixed(3)}`,
  };
}
