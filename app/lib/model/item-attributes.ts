/**
 * What the catalog says about each product, as model features: title words, type, vendor and
 * tags as weighted tokens (so a product nobody has bought yet still resembles what a customer
 * bought), and a price band. Static per run: a catalog attribute carries no future orders.
 */
import type { ShopData } from "./dataset";

export interface ItemAttributes {
  /** Per item: token ids. */
  tokens: Int32Array[];
  /** Per token: inverse document frequency, log(items / items with the token). */
  idf: Float32Array;
  /** Per item: log(1 + unit price) / log(1 + the catalog's highest price), 0 when unknown. */
  priceBand: Float32Array;
}

// Words that name no kind of product (colour and size words do: they stay).
const STOP = new Set(["and", "the", "for", "with", "set", "of", "in", "a", "an", "to"]);

function tokensOf(item: ShopData["catalog"][number]): string[] {
  const words = (item.title ?? "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !STOP.has(w) && !/^\d+$/.test(w));
  const facets = [
    item.productType ? `type:${item.productType.toLowerCase()}` : null,
    item.vendor ? `vendor:${item.vendor.toLowerCase()}` : null,
    ...(item.tags ?? []).map((t) => `tag:${t.toLowerCase()}`),
  ].filter((t): t is string => t !== null);
  return [...new Set([...words, ...facets])];
}

export function itemAttributes(data: ShopData): ItemAttributes {
  const ids = new Map<string, number>();
  const docs: number[] = [];
  const tokens = data.catalog.map((item, i) => {
    // An item known only from orders has its productId as title: no words to share.
    if (item.title === data.productIds[i]) return new Int32Array(0);
    return Int32Array.from(tokensOf(item), (t) => {
      let id = ids.get(t);
      if (id === undefined) ids.set(t, (id = docs.push(0) - 1));
      docs[id]!++;
      return id;
    });
  });
  const n = Math.max(data.catalog.length, 1);
  const idf = Float32Array.from(docs, (d) => Math.log(n / d));
  // Mean paid price per item from the orders, where the catalog has none.
  const paid = new Float64Array(data.productIds.length);
  const lines = new Float64Array(data.productIds.length);
  for (const order of data.orders) {
    order.items.forEach((item, k) => {
      if (order.prices[k]! <= 0) return;
      paid[item]! += order.prices[k]!;
      lines[item]!++;
    });
  }
  const price = data.catalog.map((item, i) => item.price ?? (lines[i]! > 0 ? paid[i]! / lines[i]! : 0));
  const top = Math.log1p(Math.max(1, ...price.filter((p) => Number.isFinite(p))));
  const priceBand = Float32Array.from(price, (p) => (Number.isFinite(p) && p > 0 ? Math.log1p(p) / top : 0));
  return { tokens, idf, priceBand };
}

/**
 * Share of an item's token weight that the customer's items carry: Σ_t idf_t·profile_t / Σ_t idf_t,
 * where profile_t is the share of the customer's items having token t. 0 for items without tokens.
 */
export function attributeSimilarity(attrs: ItemAttributes, profile: ReadonlyMap<number, number>, item: number): number {
  const tokens = attrs.tokens[item];
  if (!tokens || tokens.length === 0 || profile.size === 0) return 0;
  let num = 0;
  let den = 0;
  for (const t of tokens) {
    const w = attrs.idf[t]!;
    num += w * (profile.get(t) ?? 0);
    den += w;
  }
  return den > 0 ? num / den : 0;
}

/** Token → share of `items` having it. */
export function attributeProfile(attrs: ItemAttributes, items: readonly number[]): Map<number, number> {
  const profile = new Map<number, number>();
  for (const item of items) for (const t of attrs.tokens[item] ?? []) profile.set(t, (profile.get(t) ?? 0) + 1);
  for (const [t, c] of profile) profile.set(t, c / items.length);
  return profile;
}
