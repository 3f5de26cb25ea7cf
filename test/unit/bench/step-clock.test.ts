import { afterEach, describe, expect, it } from "vitest";
import { setCacheClock } from "../../../app/lib/storefront-store/cache-clock";
import { createStoreCache } from "../../../app/lib/storefront-store/store-cache.server";
import { createStepClock } from "../../../bench/step-clock";

afterEach(() => setCacheClock(Date.now));

describe("the bench's step clock", () => {
  it("moves one step per request", () => {
    const clock = createStepClock({ start: 5_000, stepMs: 2 });
    clock.request();
    clock.request();
    expect(clock.now()).toBe(5_004);
  });

  it("jumps at a mark to a whole number of jumps at least one jump ahead", () => {
    const clock = createStepClock({ start: 61_000, stepMs: 1, jumpMs: 60_000 });
    clock.mark();
    expect(clock.now()).toBe(180_000);
    clock.request();
    clock.mark();
    expect(clock.now()).toBe(300_000);
  });

  it("starts each measured phase at the same place in every cache's lifetime, whatever came before", () => {
    // Two servers that took different numbers of requests before the mark (one warm-up request
    // was retried) see the same expiries in the phase: at the mark every ≤ 60 s entry is stale.
    const expiriesInPhase = (before: number) => {
      const clock = createStepClock({ start: 1_765_000_000_123 });
      setCacheClock(clock.now);
      const cache = createStoreCache();
      for (let i = 0; i < before; i++) {
        clock.request();
        if (!cache.heads.get("shop")) cache.heads.set("shop", { state: "{}", runId: "r", listsVersion: null });
      }
      clock.mark();
      let reads = 0;
      for (let i = 0; i < 2_500; i++) {
        clock.request();
        if (!cache.heads.get("shop")) {
          reads++;
          cache.heads.set("shop", { state: "{}", runId: "r", listsVersion: null });
        }
      }
      return reads;
    };
    expect(expiriesInPhase(200)).toBe(3);
    expect(expiriesInPhase(201)).toBe(3);
    expect(expiriesInPhase(1_777)).toBe(3);
  });
});
