/**
 * A big shop grown from the real one (issue 18): every online-retail customer is cloned under
 * new ids with their dates shifted, and the catalog is copied several times, each clone buying
 * mostly from its own copy. Baskets are the real baskets, so co-purchase and repeat structure
 * survive; only the scale changes. Deterministic for a seed, streamed one order at a time, so
 * building a million orders holds no more than the source shop in memory.
 */
import { seededRandom } from "../../app/lib/tf/seeded-random";
import type { CatalogItem, HistoryOrder } from "../../app/lib/model/types";

export interface BigShopOptions {
  /** Orders to emit; the source shop is cloned as often as this needs. */
  orders: number;
  seed?: number;
  /** Copies of the catalog (8 copies of online-retail's 3,659 products ≈ 29,000). */
  catalogCopies?: number;
  /** Share of a clone's products bought from another copy than its own. */
  crossShare?: number;
  /** Each clone's dates move forward by up to this many days. */
  shiftDays?: number;
}

export interface BigShopSource {
  orders: readonly HistoryOrder[];
  catalog: readonly CatalogItem[];
}

const DAY_MS = 86_400_000;
/** Ids stay numeric, as Shopify's are: clone / copy number in the high digits, source index below. */
const CUSTOMER_BASE = 1_000_000_000;
const PRODUCT_BASE = 100_000_000;
const ORDER_BASE = 2_000_000_000;

export function bigShopDefaults(options: BigShopOptions) {
  return { seed: 7, catalogCopies: 8, crossShare: 0.1, shiftDays: 365, ...options };
}

/** Integer hash of a few integers: the same (clone, product) pair always crosses the same way. */
function mix(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    h = Math.imul(h ^ (v & 0xffff), 0x01000193);
    h = Math.imul(h ^ (v >>> 16), 0x01000193);
  }
  return (h ^ (h >>> 13)) >>> 0;
}

/** Dense indices for the source's customers and products, in first-seen order. */
function indexSource(source: BigShopSource) {
  const products = new Map<string, number>();
  for (const item of source.catalog) if (!products.has(item.productId)) products.set(item.productId, products.size);
  const customers = new Map<string, number>();
  for (const order of source.orders) {
    if (!customers.has(order.customerId)) customers.set(order.customerId, customers.size);
    for (const line of order.items) if (!products.has(line.productId)) products.set(line.productId, products.size);
  }
  return { products, customers, productIds: [...products.keys()] };
}

/** The grown catalog: every source product once per copy, titles marked with the copy. */
export function* bigShopCatalog(source: BigShopSource, options: BigShopOptions): Generator<CatalogItem> {
  const { catalogCopies } = bigShopDefaults(options);
  const { products } = indexSource(source);
  const byId = new Map(source.catalog.map((c) => [c.productId, c]));
  for (let copy = 0; copy < catalogCopies; copy++) {
    for (const [productId, p] of products) {
      const base = byId.get(productId);
      yield {
        productId: String(PRODUCT_BASE + copy * 100_000 + p),
        title: `${base?.title ?? productId} (${copy + 1})`,
        ...(base?.price !== undefined ? { price: base.price } : {}),
      };
    }
  }
}

/** The grown order history, clone by clone; `options.orders` orders in all. */
export function* bigShopOrders(source: BigShopSource, options: BigShopOptions): Generator<HistoryOrder> {
  const { orders: target, seed, catalogCopies, crossShare, shiftDays } = bigShopDefaults(options);
  if (source.orders.length === 0) return;
  const { products, customers } = indexSource(source);
  const random = seededRandom(seed);
  let emitted = 0;
  for (let clone = 0; emitted < target; clone++) {
    const home = clone % catalogCopies;
    // One shift per clone and source customer: a clone keeps its own rhythm between orders.
    const shifts = new Map<number, number>();
    for (let o = 0; o < source.orders.length && emitted < target; o++) {
      const order = source.orders[o]!;
      const c = customers.get(order.customerId)!;
      let shift = shifts.get(c);
      if (shift === undefined) {
        shift = Math.floor(random() * shiftDays) * DAY_MS;
        shifts.set(c, shift);
      }
      yield {
        orderId: String(ORDER_BASE + clone * 100_000 + o),
        customerId: String(CUSTOMER_BASE + clone * 100_000 + c),
        at: new Date(order.at.getTime() + shift),
        items: order.items.map((line) => {
          const p = products.get(line.productId)!;
          const h = mix(seed, clone, p);
          const copy =
            catalogCopies > 1 && h / 4294967296 < crossShare
              ? (home + 1 + (h % (catalogCopies - 1))) % catalogCopies
              : home;
          return { productId: String(PRODUCT_BASE + copy * 100_000 + p), quantity: line.quantity, price: line.price };
        }),
      };
      emitted++;
    }
  }
}
