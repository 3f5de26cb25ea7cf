import { afterAll, describe, expect, it } from "vitest";
import { runKey, shopKey, shopSpace } from "../../app/lib/storefront-store/keys";
import { Redis } from "ioredis";
import {
  activateRun,
  deleteCustomerLists,
  deleteShopLists,
  REDACTED_MEMORY_SECONDS,
  readList,
  readPopular,
  rollbackRun,
  writeRunLists,
} from "../../app/lib/storefront-store/run-lists.server";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "lists.myshopify.com";

function lists(tag: string) {
  return {
    forCustomer: new Map([["c1", [`${tag}-1`, `${tag}-2`]]]),
    related: new Map([["p1", [`${tag}-r`]]]),
    popular: [`${tag}-pop`],
  };
}

describe("precomputed lists in Redis", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  afterAll(async () => {
    redis.disconnect();
    await cleanup();
  });

  it("serves nothing before a run is active, then the active run's lists", async () => {
    expect(await readList(redis, prefix, SHOP, "for", "c1")).toEqual([]);
    await writeRunLists(redis, prefix, SHOP, "run1", lists("one"));
    expect(await readList(redis, prefix, SHOP, "for", "c1")).toEqual([]);
    await activateRun(redis, prefix, SHOP, "run1");
    expect(await readList(redis, prefix, SHOP, "for", "c1")).toEqual(["one-1", "one-2"]);
    expect(await readList(redis, prefix, SHOP, "related", "p1")).toEqual(["one-r"]);
    expect(await readList(redis, prefix, SHOP, "for", "unknown")).toEqual([]);
    expect(await readPopular(redis, prefix, SHOP)).toEqual(["one-pop"]);
  });

  it("keeps the previous run for rollback and drops older ones", async () => {
    await writeRunLists(redis, prefix, SHOP, "run2", lists("two"));
    expect(await activateRun(redis, prefix, SHOP, "run2")).toBe("run1");
    await writeRunLists(redis, prefix, SHOP, "run3", lists("three"));
    await activateRun(redis, prefix, SHOP, "run3");
    expect(await redis.exists(runKey(prefix, SHOP, "run1", "popular"))).toBe(0);
    expect(await rollbackRun(redis, prefix, SHOP)).toBe("run2");
    expect(await readList(redis, prefix, SHOP, "for", "c1")).toEqual(["two-1", "two-2"]);
  });

  it("leaves exactly the active and the previous run's keys after many trainings, best sellers included", async () => {
    const shop = "many-runs.myshopify.com";
    const full = (tag: string) => ({
      ...lists(tag),
      againForCustomer: new Map([["c1", [`${tag}-a`]]]),
      newForCustomer: new Map([["c1", [`${tag}-n`]]]),
      bought: new Map([["c1", [`${tag}-b`]]]),
      bestSellers: [`${tag}-best`],
    });
    for (const run of ["r1", "r2", "r3", "r4"]) {
      await writeRunLists(redis, prefix, shop, run, full(run));
      await activateRun(redis, prefix, shop, run);
    }
    const keys = (await redis.keys(`${shopSpace(prefix, shop)}:*`)).map((k) =>
      k.slice(shopSpace(prefix, shop).length + 1),
    );
    const perRun = ["for", "again", "new", "related", "bought", "popular", "bestsellers"];
    // One counter beside the two pointers, however many runs: the writes serving's cache is scoped by.
    expect(keys.sort()).toEqual(
      ["active", "previous", "lists-version", ...["r3", "r4"].flatMap((r) => perRun.map((k) => `${r}:${k}`))].sort(),
    );
  });

  it("never mixes shops, and deletes one shop's lists only", async () => {
    await writeRunLists(redis, prefix, "other.myshopify.com", "run9", lists("other"));
    await activateRun(redis, prefix, "other.myshopify.com", "run9");
    expect(await readList(redis, prefix, SHOP, "for", "c1")).toEqual(["two-1", "two-2"]);
    await deleteShopLists(redis, prefix, SHOP);
    expect(await readPopular(redis, prefix, SHOP)).toEqual([]);
    expect(await readPopular(redis, prefix, "other.myshopify.com")).toEqual(["other-pop"]);
  });

  it("keeps a redacted customer out of lists written by a training or refresh that read their orders first", async () => {
    const shop = "redact-race.myshopify.com";
    const two = (tag: string) => ({
      forCustomer: new Map([
        ["gone", [`${tag}-g`]],
        ["stays", [`${tag}-s`]],
      ]),
      againForCustomer: new Map([["gone", [`${tag}-ga`]]]),
      newForCustomer: new Map([["gone", [`${tag}-gn`]]]),
      bought: new Map([["gone", [`${tag}-gb`]]]),
      related: new Map([["p1", [`${tag}-r`]]]),
      popular: [`${tag}-pop`],
    });
    const customerFields = async (runId: string) =>
      Promise.all(
        (["for", "again", "new", "bought"] as const).map((kind) =>
          redis.hexists(runKey(prefix, shop, runId, kind), "gone"),
        ),
      );
    await writeRunLists(redis, prefix, shop, "served", two("served"));
    await activateRun(redis, prefix, shop, "served");
    // A training has written its run but not yet switched to it when the redaction lands.
    await writeRunLists(redis, prefix, shop, "training", two("training"));
    await deleteCustomerLists(redis, prefix, shop, "gone");
    expect(await customerFields("served")).toEqual([0, 0, 0, 0]);
    expect(await customerFields("training")).toEqual([1, 1, 1, 1]);
    await activateRun(redis, prefix, shop, "training");
    expect(await customerFields("training")).toEqual([0, 0, 0, 0]);
    // A refresh that loaded the orders before the redaction writes the served run again afterwards.
    await writeRunLists(redis, prefix, shop, "training", two("refresh"), { inPlace: true });
    expect(await customerFields("training")).toEqual([0, 0, 0, 0]);
    expect(await readList(redis, prefix, shop, "for", "gone")).toEqual([]);
    // Everyone else's lists are written as usual, and the record of redactions expires.
    expect(await readList(redis, prefix, shop, "for", "stays")).toEqual(["refresh-s"]);
    const ttl = await redis.ttl(shopKey(prefix, shop, "redacted"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(REDACTED_MEMORY_SECONDS);
  });
});
