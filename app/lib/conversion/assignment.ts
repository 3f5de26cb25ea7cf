import { createHash } from "node:crypto";

export type Arm = "treatment" | "control";
export const ARMS: readonly Arm[] = ["treatment", "control"];

/** Share of visitors held out (control) when the merchant has not chosen one. */
export const DEFAULT_HOLDOUT_PERCENT = 10;

/** Buckets per visitor hash: 10,000 gives the split a resolution of 0.01 percentage points. */
const BUCKETS = 10_000;

/**
 * A visitor's bucket in [0, 10000) for one experiment: the first 32 bits of
 * SHA-256(shop, experiment, visitor), scaled. The experiment id is in the hash, so a new
 * experiment reshuffles visitors instead of keeping last split's control group forever.
 */
export function assignmentBucket(shop: string, experimentId: string, visitorId: string): number {
  const digest = createHash("sha256").update(`${shop}\u0000${experimentId}\u0000${visitorId}`).digest();
  return Math.floor((digest.readUInt32BE(0) / 2 ** 32) * BUCKETS);
}

export interface AssignmentInput {
  shop: string;
  experimentId: string;
  visitorId: string;
  /** Percent of visitors in control, 0–100. @defaultValue 10 */
  holdoutPercent?: number;
}

/**
 * Treatment or control, the same answer every time for the same shop, experiment and visitor, on
 * every server: the app (which decides what to show) and the events worker (which counts the
 * visitor in an arm) agree without sharing any state.
 */
export function assignArm(input: AssignmentInput): Arm {
  const holdout = Math.min(100, Math.max(0, input.holdoutPercent ?? DEFAULT_HOLDOUT_PERCENT));
  const bucket = assignmentBucket(input.shop, input.experimentId, input.visitorId);
  return bucket < holdout * (BUCKETS / 100) ? "control" : "treatment";
}
