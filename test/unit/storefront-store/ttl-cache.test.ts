import { describe, expect, it } from "vitest";
import { TtlCache } from "../../../app/lib/storefront-store/ttl-cache";

describe("TtlCache", () => {
  it("forgets an entry once it is older than its age bound", () => {
    let now = 0;
    const cache = new TtlCache<string>(10, 1_000, () => now);
    cache.set("a", "1");
    now = 999;
    expect(cache.get("a")).toBe("1");
    now = 1_000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("drops the oldest entry when full, counting a re-set as new", () => {
    const cache = new TtlCache<number>(2, 60_000);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("a", 1);
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });
});
