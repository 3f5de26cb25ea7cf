/**
 * What to write to Shopify for each customer, and the changes from what is confirmed written.
 * Pure: the write job, the admin's preview and the tests all call it, so the preview shows exactly
 * what the next write sends (issue 21, part 4).
 */
import type { Segment } from "../churn/segments";

/** The customer tag for each segment; Shopify segments, Email, Flow and Audiences filter on it. */
export const SEGMENT_TAGS: Record<Segment, string> = {
  new: "affinity:new",
  active: "affinity:active",
  at_risk: "affinity:at-risk",
  lapsed: "affinity:lapsed",
  champion: "affinity:champion",
};

/**
 * The app-owned namespace ($app is Shopify's reserved prefix: only this app can write these, the
 * merchant reads them) and each key's metafield type.
 */
export const METAFIELD_NAMESPACE = "$app:affinity";
export const METAFIELD_TYPES = {
  churn_risk: "number_decimal",
  segment: "single_line_text_field",
  expected_next_order: "date",
  recommended_products: "list.product_reference",
} as const;
export type MetafieldKey = keyof typeof METAFIELD_TYPES;
/** recommended_products only when the customer has recommendations: Shopify takes no empty list. */
export type MetafieldValues = Record<Exclude<MetafieldKey, "recommended_products">, string> & {
  recommended_products?: string;
};

export interface PredictionRow {
  customerShopifyId: string;
  segment: string;
  risk: number;
  expectedNextAt: Date;
  /** The customer's recommended products (numeric ids), best first. */
  recommended?: readonly string[];
}

export interface WrittenRow {
  customerShopifyId: string;
  tag: string | null;
  metafields: MetafieldValues | null;
  redacted: boolean;
  gone: boolean;
}

export interface WriteOptions {
  tagsEnabled: boolean;
  metafieldsEnabled: boolean;
}

export type Change =
  | { kind: "tagsRemove"; customerId: string; tags: string[] }
  | { kind: "tagsAdd"; customerId: string; tags: string[] }
  | { kind: "metafieldsDelete"; customerId: string; keys: MetafieldKey[] }
  | { kind: "metafieldsSet"; customerId: string; values: MetafieldValues };
export type ChangeKind = Change["kind"];

/** The order the bulk operations run in: removals first, so a half-done write never leaves two segment tags. */
export const CHANGE_KINDS: readonly ChangeKind[] = ["tagsRemove", "tagsAdd", "metafieldsDelete", "metafieldsSet"];

const isSegment = (s: string): s is Segment => s in SEGMENT_TAGS;

export function metafieldValues(p: PredictionRow): MetafieldValues {
  const recommended = p.recommended ?? [];
  return {
    // Three decimals: finer changes are noise, and would rewrite every customer after every run.
    churn_risk: p.risk.toFixed(3),
    segment: p.segment,
    expected_next_order: p.expectedNextAt.toISOString().slice(0, 10),
    ...(recommended.length > 0
      ? { recommended_products: JSON.stringify(recommended.map((id) => `gid://shopify/Product/${id}`)) }
      : {}),
  };
}

const ALL_KEYS = Object.keys(METAFIELD_TYPES) as MetafieldKey[];

function sameValues(a: MetafieldValues | null, b: MetafieldValues | null): boolean {
  if (a === null || b === null) return a === b;
  return ALL_KEYS.every((k) => a[k] === b[k]);
}

/**
 * The changes that bring Shopify from `written` to what the predictions and opt-ins ask for. A
 * customer redacted, deleted in Shopify, or without a prediction gets nothing new; what was
 * written for them is removed (except for the deleted, who no longer exist).
 */
export function planChanges(
  predictions: Iterable<PredictionRow>,
  written: ReadonlyMap<string, WrittenRow>,
  options: WriteOptions,
): Change[] {
  const changes: Change[] = [];
  const seen = new Set<string>();
  const diff = (id: string, p: PredictionRow | undefined) => {
    const was = written.get(id);
    if (was?.gone) return;
    const blocked = was?.redacted === true || p === undefined;
    const tag = !blocked && options.tagsEnabled && isSegment(p.segment) ? SEGMENT_TAGS[p.segment] : null;
    const values = !blocked && options.metafieldsEnabled ? metafieldValues(p) : null;
    const oldTag = was?.tag ?? null;
    if (oldTag !== null && oldTag !== tag) changes.push({ kind: "tagsRemove", customerId: id, tags: [oldTag] });
    if (tag !== null && oldTag !== tag) changes.push({ kind: "tagsAdd", customerId: id, tags: [tag] });
    const oldValues = was?.metafields ?? null;
    // Off, or a key that must go (no recommendations any more): every key comes off, so what is
    // recorded (nothing) is never less than what Shopify holds; metafieldsSet runs after it.
    const dropsKey = oldValues !== null && values !== null && ALL_KEYS.some((k) => k in oldValues && !(k in values));
    if (oldValues !== null && (values === null || dropsKey))
      changes.push({ kind: "metafieldsDelete", customerId: id, keys: ALL_KEYS });
    if (values !== null && (dropsKey || !sameValues(oldValues, values)))
      changes.push({ kind: "metafieldsSet", customerId: id, values });
  };
  for (const p of predictions) {
    seen.add(p.customerShopifyId);
    diff(p.customerShopifyId, p);
  }
  for (const id of written.keys()) if (!seen.has(id)) diff(id, undefined);
  return changes;
}

export interface PlanSummary {
  byKind: Record<ChangeKind, number>;
  /** Customers who will carry each tag after the write. */
  tagged: Record<string, number>;
  customers: number;
  sample: Change[];
}

/** Counts for the admin's preview, and the first few changes as a sample. */
export function summarise(changes: readonly Change[], sampleSize = 8): PlanSummary {
  const byKind: Record<ChangeKind, number> = { tagsRemove: 0, tagsAdd: 0, metafieldsDelete: 0, metafieldsSet: 0 };
  const tagged: Record<string, number> = {};
  const customers = new Set<string>();
  for (const c of changes) {
    byKind[c.kind] += 1;
    customers.add(c.customerId);
    if (c.kind === "tagsAdd") for (const t of c.tags) tagged[t] = (tagged[t] ?? 0) + 1;
  }
  return { byKind, tagged, customers: customers.size, sample: changes.slice(0, sampleSize) };
}
