/**
 * The runtime side of the training budget (issue 18). The window (model/window.ts) is chosen
 * from an estimate of bytes per line and per product pair; a shop whose orders are wider, or a
 * host whose allocator holds more, can still outgrow TRAIN_MAX_RSS_MB. So the run reads its own
 * resident memory at safe points (after loading, after every epoch, after evaluation and after
 * building the lists) and stops there, before anything is written to Redis, instead of growing
 * until the kernel kills the worker. Between two epochs a run can overshoot by what one epoch
 * allocates; the per-line estimate keeps that small against the budget.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const MIB = 1024 * 1024;

/** A run's resident memory passed its budget at `stage`. */
export class MemoryBudgetExceededError extends Error {
  override name = "MemoryBudgetExceededError";
  constructor(
    readonly stage: string,
    readonly rssMb: number,
    readonly budgetMb: number,
  ) {
    super(`resident memory reached ${rssMb} MB ${stage}, over the ${budgetMb} MB budget`);
  }
}

export interface MemoryGuard {
  /** Throws MemoryBudgetExceededError when the process holds more than the budget now. */
  check(stage: string): void;
  /** The highest reading so far, in MB. */
  peakMb(): number;
}

/** Resident set size of this process, in bytes. */
export const processRssBytes = () => process.memoryUsage.rss();

export function memoryGuard(budgetMb: number, readRssBytes: () => number = processRssBytes): MemoryGuard {
  let peak = 0;
  return {
    check(stage) {
      const rssMb = Math.round(readRssBytes() / MIB);
      peak = Math.max(peak, rssMb);
      if (rssMb > budgetMb) throw new MemoryBudgetExceededError(stage, rssMb, budgetMb);
    },
    peakMb: () => peak,
  };
}

/**
 * Collects what a stopped attempt left behind before the next one measures itself: without a
 * full collection the dropped history may still be resident and the retry would stop at once.
 * Node only exposes gc() with --expose-gc; turning the flag on for one fresh context is the way
 * jest's leak detector gets it without restarting the process.
 */
export function collectGarbage(): void {
  try {
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
  } catch {
    // No collector to call: the next allocations trigger one anyway.
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
}
