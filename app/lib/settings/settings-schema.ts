import { z } from "zod";
import { shopifyIdSchema } from "../shopify-id";

/**
 * A merchant's settings. Every field has a default, so an empty object is a valid, sensible
 * configuration, and a field added later needs no data migration: stored JSON is parsed through
 * this schema on every read.
 */
export const shopSettingsSchema = z.object({
  /**
   * Whether logged-in customers may be shown products they bought before. Shops with many
   * repeat purchases (consumables, wholesale) want this on.
   * @defaultValue true
   */
  includePurchased: z.boolean().default(true),
  /** @defaultValue true */
  hideOutOfStock: z.boolean().default(true),
  /** Never recommended. Collections are resolved to their products when the merchant saves. */
  exclusions: z
    .object({
      productIds: z.array(shopifyIdSchema).max(500).default([]),
      collectionIds: z.array(shopifyIdSchema).max(50).default([]),
      /** Products of the excluded collections, as resolved at save time. */
      collectionProductIds: z.array(shopifyIdSchema).max(5_000).default([]),
      tags: z.array(z.string().trim().min(1).max(255)).max(100).default([]),
      /** The excluded collections' titles as the merchant picked them, for the admin to show. */
      collectionTitles: z.record(shopifyIdSchema, z.string().max(255)).default({}),
    })
    .prefault({}),
  /** Defaults for every "Recommended for you" block; a block's own theme-editor setting wins. */
  block: z
    .object({
      /**
       * The heading of blocks whose heading is left blank in the theme editor; empty means the
       * translated "Recommended for you". Published to the theme as an app-data metafield.
       * @defaultValue ""
       */
      heading: z.string().trim().max(80).default(""),
    })
    .prefault({}),
  /** Shown first, in this order, wherever the block appears and they are eligible. */
  pinnedProductIds: z.array(shopifyIdSchema).max(12).default([]),
  /**
   * Share of visitors in the control group, in percent.
   * @defaultValue 10
   */
  holdoutPercent: z.number().int().min(0).max(50).default(10),
  /** What the control group sees in place of recommendations. @defaultValue "none" */
  controlExperience: z.enum(["none", "best_sellers"]).default("none"),
  /** @defaultValue "daily" */
  retrainFrequency: z.enum(["daily", "weekly", "manual"]).default("daily"),
  /** How long after a click an order still counts as the block's. @defaultValue 7 */
  attributionWindowDays: z.number().int().min(1).max(30).default(7),
});

export type ShopSettings = z.infer<typeof shopSettingsSchema>;

export const DEFAULT_SETTINGS: ShopSettings = shopSettingsSchema.parse({});

/** Stored settings, read leniently: a value that no longer validates falls back to its default. */
export function parseStoredSettings(json: string | null | undefined): ShopSettings {
  let raw: unknown = {};
  try {
    raw = json ? JSON.parse(json) : {};
  } catch {
    raw = {};
  }
  const parsed = shopSettingsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  // Keep every field that is still valid; only the broken ones take their defaults.
  const kept: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw as Record<string, unknown>)) {
    const shape = shopSettingsSchema.shape as Record<string, z.ZodTypeAny>;
    if (shape[field]?.safeParse(value).success) kept[field] = value;
  }
  return shopSettingsSchema.parse(kept);
}
