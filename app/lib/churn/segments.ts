/**
 * Segments the merchant reads and acts on. Order of the rules matters: lapsed (beyond H) first,
 * then new (one order), then champions (top share of value among active), then at risk, else
 * active. A champion with high risk is shown as at risk, because that is where action pays.
 */
import type { ChurnSettings } from "./settings";

export const SEGMENTS = ["new", "active", "at_risk", "lapsed", "champion"] as const;
export type Segment = (typeof SEGMENTS)[number];

export interface SegmentInput {
  customerId: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  risk: number;
}

export function assignSegments(
  customers: readonly SegmentInput[],
  horizonDays: number,
  settings: Pick<ChurnSettings, "atRiskThreshold" | "championShare">,
): Map<string, Segment> {
  const out = new Map<string, Segment>();
  const active: SegmentInput[] = [];
  for (const c of customers) {
    if (c.recencyDays > horizonDays) out.set(c.customerId, "lapsed");
    else if (c.frequency <= 1) out.set(c.customerId, "new");
    else active.push(c);
  }
  const byValue = [...active].sort((a, b) => b.monetary - a.monetary);
  const championCount = Math.floor(active.length * settings.championShare);
  const champions = new Set(byValue.slice(0, championCount).map((c) => c.customerId));
  for (const c of active) {
    if (c.risk >= settings.atRiskThreshold) out.set(c.customerId, "at_risk");
    else if (champions.has(c.customerId)) out.set(c.customerId, "champion");
    else out.set(c.customerId, "active");
  }
  return out;
}
