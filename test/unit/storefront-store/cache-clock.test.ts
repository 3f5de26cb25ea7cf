import { afterEach, describe, expect, it } from "vitest";
import { cacheNow, setCacheClock } from "../../../app/lib/storefront-store/cache-clock";
import { createStoreCache } from "../../../app/lib/storefront-store/store-cache.server";

afterEach(() => setCacheClock(Date.now));

describe("the serving caches' clock", () => {
  it("is the wall clock unless replaced", () => {
    const before = Date.now();
    const now = cacheNow();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it("given a replaced clock, when it does not move, then a cached state never expires", () => {
    let time = 1_000_000;
    setCacheClock(() => time);
    const cache = createStoreCache();
    cache.heads.set("shop", { state: "{}", runId: "r1", listsVersion: null });
    time += 999;
    expect(cache.heads.get("shop")).toEqual({ state: "{}", runId: "r1", listsVersion: null });
    time += 1;
    expect(cache.heads.get("shop")).toBeUndefined();
  });
});
