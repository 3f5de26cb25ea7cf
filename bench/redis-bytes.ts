/**
 * Redis bytes per shop (issue 18, "serving at size"): everything the storefront store keeps for
 * one shop of 50,000 products, written by the real writers (cards, two runs' lists as training
 * and activation leave them, collection copies, the small shop keys), then measured key by key
 * with MEMORY USAGE … SAMPLES 0 (every element counted). Customers with lists are bounded by the
 * training window, not by the catalog, so they are given as the 1M-order shop's 200,000 (all of
 * its customers: the most any window can hold). --quick: 5,000 products and customers.
 */
import { Redis } from "ioredis";
import { capsForBudget, DEFAULT_TRAIN_BUDGET_MB } from "../app/lib/model/window";
import { cardFromProduct } from "../app/lib/storefront-store/card";
import { writeCards } from "../app/lib/storefront-store/cards.server";
import { MAX_COLLECTION_MEMBERS, writeCollectionMembers } from "../app/lib/storefront-store/collection-members.server";
import { shopKey, shopSpace } from "../app/lib/storefront-store/keys";
import { activateRun, writeRunLists, type RunLists } from "../app/lib/storefront-store/run-lists.server";
import { STORED_LIST_LENGTH } from "../app/lib/training/build-lists";
import { PURCHASED_MAX } from "../app/lib/training/purchased";
import { catalogProduct } from "../test/helpers/storefront-seed";
import { createTestPrefix } from "../test/helpers/test-redis";
import { result, type BenchResult } from "./lib";

const SHOP = "bench-redis-bytes.myshopify.com";
/** Collection pages a storefront has asked about, each copied at the most members kept. */
const COLLECTIONS = 100;
/** Shopify-sized numeric ids (13 digits), as the lists and cards store them. */
const productId = (i: number) => String(8_000_000_000_000 + i);
const customerId = (i: number) => String(6_000_000_000_000 + i);

/** A deterministic spread of product ids, as a trained list holds. */
function ids(seed: number, length: number, products: number): string[] {
  const out: string[] = [];
  for (let k = 1; out.length < length; k++) out.push(productId((seed * 7_919 + k * 104_729) % products));
  return out;
}

function runLists(products: number, customers: number, modelled: number): RunLists {
  const perCustomer = (offset: number, length: (c: number) => number) =>
    new Map(Array.from({ length: customers }, (_, c) => [customerId(c), ids(c + offset, length(c), products)]));
  return {
    forCustomer: perCustomer(0, () => STORED_LIST_LENGTH),
    againForCustomer: perCustomer(1, () => STORED_LIST_LENGTH),
    newForCustomer: perCustomer(2, () => STORED_LIST_LENGTH),
    // What a customer bought: from a handful to the 200 kept (online-retail's customers buy ~60 products).
    bought: perCustomer(3, (c) => Math.min(PURCHASED_MAX, 5 + ((c * 37) % 120))),
    // Related lists exist for the products the run modelled: at most the window's product cap.
    related: new Map(
      Array.from({ length: modelled }, (_, i) => [productId(i), ids(i + 11, STORED_LIST_LENGTH, products)]),
    ),
    popular: ids(5, STORED_LIST_LENGTH, products),
    bestSellers: ids(6, STORED_LIST_LENGTH, products),
  };
}

function products(count: number) {
  return Array.from({ length: count }, (_, i) =>
    catalogProduct(productId(i), {
      title: `Vintage ceramic tea cup with saucer, colour ${i % 40}`,
      handle: `vintage-ceramic-tea-cup-with-saucer-${i}`,
      tags: "kitchen, tea, gift, ceramics",
      imageUrl: `https://cdn.shopify.com/s/files/1/0612/3456/7890/files/tea-cup-${i}.jpg?v=1712345678`,
      imageAlt: "A ceramic tea cup on its saucer",
    }),
  );
}

/** MEMORY USAGE of every key under the shop's namespace, summed per key kind. */
async function measure(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const space = shopSpace(prefix, SHOP);
  const byKind = new Map<string, number>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${space}:*`, "COUNT", 1_000);
    cursor = next;
    for (const key of keys) {
      const bytes = Number(await redis.call("MEMORY", "USAGE", key, "SAMPLES", "0"));
      // "<space>:cards" → cards; "<space>:<runId>:for" → lists:for.
      const parts = key.slice(space.length + 1).split(":");
      const kind = parts.length === 1 ? parts[0]! : `lists:${parts[1]}`;
      byKind.set(kind, (byKind.get(kind) ?? 0) + bytes);
    }
  } while (cursor !== "0");
  return byKind;
}

export async function benchRedisBytes({ quick }: { quick: boolean }): Promise<BenchResult[]> {
  const productCount = quick ? 5_000 : 50_000;
  const customerCount = quick ? 5_000 : 200_000;
  const modelled = Math.min(productCount, capsForBudget(DEFAULT_TRAIN_BUDGET_MB).maxItems);
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    await writeCards(redis, prefix, SHOP, products(productCount).map(cardFromProduct));
    // Two runs: the served one and the previous one kept for rollback (activation drops older ones).
    for (const runId of ["run-previous", "run-active"]) {
      await writeRunLists(redis, prefix, SHOP, runId, runLists(productCount, customerCount, modelled));
      await activateRun(redis, prefix, SHOP, runId);
    }
    for (let c = 0; c < COLLECTIONS; c++) {
      const members = ids(c + 101, MAX_COLLECTION_MEMBERS, productCount);
      await writeCollectionMembers(redis, prefix, SHOP, `45${c}`, members);
    }
    await redis.set(shopKey(prefix, SHOP, "state"), JSON.stringify({ installed: true, settings: {} }));
    await redis.set(shopKey(prefix, SHOP, "seen"), String(Date.now()));

    const byKind = await measure(redis, prefix);
    const total = [...byKind.values()].reduce((a, b) => a + b, 0);
    const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
    const customerLists = ["for", "again", "new", "bought"].reduce((s, k) => s + (byKind.get(`lists:${k}`) ?? 0), 0);
    const cards = byKind.get("cards") ?? 0;
    const breakdown = [...byKind]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, bytes]) => `${kind} ${mb(bytes)} MB`)
      .join(", ");
    const size = `${productCount.toLocaleString("en")} products (${modelled.toLocaleString("en")} modelled), ${customerCount.toLocaleString("en")} customers with lists, two runs, ${COLLECTIONS} collections`;
    return [
      result("serving.redis_bytes_per_shop", mb(total), "MB", null, `${size}: ${breakdown}`),
      result("serving.redis_card_bytes_per_product", cards / productCount, "bytes", null, "the cards hash per product"),
      result(
        "serving.redis_list_bytes_per_customer",
        customerLists / customerCount,
        "bytes",
        null,
        "for, again, new and bought of both runs, per customer",
      ),
    ];
  } finally {
    redis.disconnect();
    await cleanup();
  }
}
