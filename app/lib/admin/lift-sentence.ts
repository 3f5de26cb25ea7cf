import type { LiftEstimate } from "../conversion/lift";
import { formatCountOf } from "./format";

/**
 * The experiment's result in one plain sentence, e.g. "+4.1% conversion (95% CI +1.2% to +7.0%)"
 * once significant, or "Not yet significant: 3,400 more visitors needed". Pure.
 */
export interface LiftSentence {
  /** significant: the interval excludes zero; pending: not yet; none: nothing to compare. */
  kind: "significant" | "pending" | "none";
  headline: string;
  /** The estimate so far, when there is one but it is not significant yet. */
  detail: string | null;
}

const signed = (x: number, digits = 1) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(digits)}%`;

/** Relative lift where the control rate is known; otherwise the difference in points. */
function estimate(lift: LiftEstimate, metric: string): string {
  if (lift.relativeLift !== null && lift.relativeLiftCi) {
    return `${signed(lift.relativeLift)} ${metric} (95% CI ${signed(lift.relativeLiftCi.low)} to ${signed(lift.relativeLiftCi.high)})`;
  }
  const points = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(2)} pts`;
  return `${points(lift.difference)} ${metric} (95% CI ${points(lift.differenceCi.low)} to ${points(lift.differenceCi.high)})`;
}

export function liftSentence(lift: LiftEstimate | null, metric = "conversion"): LiftSentence {
  if (!lift) {
    return {
      kind: "none",
      headline: "Not enough visitors yet: both groups need shoppers who saw the block or its holdout.",
      detail: null,
    };
  }
  if (lift.significant) return { kind: "significant", headline: estimate(lift, metric), detail: null };
  const more =
    lift.moreVisitorsNeeded === null
      ? "Not yet significant: more visitors needed"
      : `Not yet significant: ${formatCountOf(lift.moreVisitorsNeeded, "more visitor")} needed`;
  return { kind: "pending", headline: more, detail: `So far ${estimate(lift, metric)}.` };
}
