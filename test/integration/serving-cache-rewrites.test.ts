import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { setCacheClock } from "../../app/lib/storefront-store/cache-clock";
import { shopKey } from "../../app/lib/storefront-store/keys";
import {
  activateRun,
  deleteCustomerLists,
  writeRunLists,
  writeSomeCustomerLists,
} from "../../app/lib/storefront-store/run-lists.server";
import { createStoreCache, readHead, readLists, type ListRef } from "../../app/lib/storefront-store/store-cache.server";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "cache-rewrites.myshopify.com";
const REFS: ListRef[] = [{ kind: "for", id: "c1" }, { kind: "popular" }, { kind: "related", id: "p1" }];

const lists = (tag: string) => ({
  forCustomer: new Map([["c1", [`${tag}-1`, `${tag}-2`]]]),
  related: new Map([["p1", [`${tag}-r`]]]),
  popular: [`${tag}-pop`],
});

afterEach(() => setCacheClock(Date.now));

describe("serving's cached lists after the served run's lists are rewritten in place", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  afterAll(async () => {
    redis.disconnect();
    await cleanup();
  });

  it("serves a refresh's, a rebuild's and a redaction's lists once the head is read again, not the cached ones", async () => {
    let time = 1_000_000;
    setCacheClock(() => time);
    const cache = createStoreCache();
    /** What one storefront request reads: the head (cached for a second), then the run's lists. */
    const serve = async () => {
      const head = await readHead(cache, redis, prefix, SHOP);
      return readLists(cache, redis, prefix, SHOP, { id: head.runId!, listsVersion: head.listsVersion }, REFS);
    };
    // A head is kept only with the shop's state cached in Redis.
    await redis.set(shopKey(prefix, SHOP, "state"), "{}");
    await writeRunLists(redis, prefix, SHOP, "run1", lists("one"));
    await activateRun(redis, prefix, SHOP, "run1");
    expect(await serve()).toEqual([["one-1", "one-2"], ["one-pop"], ["one-r"]]);

    // A refresh after c1's order rewrites c1's lists in place, in the same run.
    await writeSomeCustomerLists(redis, prefix, SHOP, "run1", { forCustomer: new Map([["c1", ["fresh-1"]]]) });
    // Within the head's second the process still answers from its cache, as it does for every change.
    expect((await serve())[0]).toEqual(["one-1", "one-2"]);
    time += 1_000;
    expect(await serve()).toEqual([["fresh-1"], ["one-pop"], ["one-r"]]);

    // A refresh of every list rewrites the shop-wide ones in place too.
    await writeRunLists(redis, prefix, SHOP, "run1", lists("two"), { inPlace: true });
    time += 1_000;
    expect(await serve()).toEqual([["two-1", "two-2"], ["two-pop"], ["two-r"]]);

    // customers/redact: the customer's cached lists go with the stored ones.
    await deleteCustomerLists(redis, prefix, SHOP, "c1");
    time += 1_000;
    expect(await serve()).toEqual([[], ["two-pop"], ["two-r"]]);
  });
});
