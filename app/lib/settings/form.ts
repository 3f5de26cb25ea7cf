import { z } from "zod";
import { shopifyIdSchema } from "../shopify-id";
import type { ShopSettings } from "./settings-schema";

/**
 * What the admin's settings form sends. It differs from the stored schema where a person types:
 * numbers arrive as text (so "abc" gets a sentence, not a type error), and collections carry the
 * title the merchant picked. Messages are written for merchants; they appear under the field.
 */
const wholeNumber = (min: number, max: number, unit: string) =>
  z
    .string({ error: `Enter a whole number of ${unit} from ${min} to ${max}.` })
    .trim()
    .regex(/^\d+$/, `Enter a whole number of ${unit} from ${min} to ${max}.`)
    .transform(Number)
    .pipe(z.number().min(min, `Use at least ${min} ${unit}.`).max(max, `Use at most ${max} ${unit}.`));

const tag = z
  .string()
  .trim()
  .min(1, "A tag cannot be empty.")
  .max(255, "Tags are at most 255 characters.")
  .regex(/^[^,]+$/, "A tag cannot contain a comma.");

export const settingsFormSchema = z.object({
  includePurchased: z.boolean(),
  hideOutOfStock: z.boolean(),
  blockHeading: z.string().trim().max(80, "Keep the heading to 80 characters or fewer."),
  excludedProductIds: z.array(shopifyIdSchema).max(500, "Exclude at most 500 products; use a tag for more."),
  excludedCollections: z
    .array(z.object({ id: shopifyIdSchema, title: z.string().trim().max(255) }))
    .max(50, "Exclude at most 50 collections."),
  excludedTags: z.array(tag).max(100, "Exclude at most 100 tags."),
  pinnedProductIds: z.array(shopifyIdSchema).max(12, "Pin at most 12 products: a block shows 12 at most."),
  holdoutPercent: wholeNumber(0, 50, "percent"),
  controlExperience: z.enum(["none", "best_sellers"], { error: "Choose what the control group sees." }),
  retrainFrequency: z.enum(["daily", "weekly", "manual"], { error: "Choose how often to retrain." }),
  attributionWindowDays: wholeNumber(1, 30, "days"),
});

export type SettingsForm = z.input<typeof settingsFormSchema>;
export type ValidSettingsForm = z.output<typeof settingsFormSchema>;

/** Field name (the form's top-level key) → the first message for it. */
export type FieldErrors = Partial<Record<keyof SettingsForm | "form", string>>;

/** The stored settings as the form shows them. */
export function settingsToForm(settings: ShopSettings): SettingsForm {
  return {
    includePurchased: settings.includePurchased,
    hideOutOfStock: settings.hideOutOfStock,
    blockHeading: settings.block.heading,
    excludedProductIds: settings.exclusions.productIds,
    excludedCollections: settings.exclusions.collectionIds.map((id) => ({
      id,
      title: settings.exclusions.collectionTitles[id] ?? `Collection ${id}`,
    })),
    excludedTags: settings.exclusions.tags,
    pinnedProductIds: settings.pinnedProductIds,
    holdoutPercent: String(settings.holdoutPercent),
    controlExperience: settings.controlExperience,
    retrainFrequency: settings.retrainFrequency,
    attributionWindowDays: String(settings.attributionWindowDays),
  };
}

/** Validates the form. Errors are keyed by field, one message each, as Polaris fields show them. */
export function parseSettingsForm(
  input: unknown,
): { ok: true; value: ValidSettingsForm } | { ok: false; errors: FieldErrors } {
  const parsed = settingsFormSchema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = (issue.path[0] ?? "form") as keyof FieldErrors;
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** The settings to store, once collections have been resolved to their products. */
export function formToSettings(form: ValidSettingsForm, collectionProductIds: string[]): ShopSettings {
  const unique = <T>(values: T[]) => [...new Set(values)];
  return {
    includePurchased: form.includePurchased,
    hideOutOfStock: form.hideOutOfStock,
    block: { heading: form.blockHeading },
    exclusions: {
      productIds: unique(form.excludedProductIds),
      collectionIds: unique(form.excludedCollections.map((c) => c.id)),
      collectionProductIds: unique(collectionProductIds),
      // Storefront matching ignores case (rules.ts), so "Sale" and "sale" are one tag.
      tags: form.excludedTags.filter((t, i, all) => all.findIndex((o) => o.toLowerCase() === t.toLowerCase()) === i),
      collectionTitles: Object.fromEntries(form.excludedCollections.map((c) => [c.id, c.title])),
    },
    pinnedProductIds: unique(form.pinnedProductIds),
    holdoutPercent: form.holdoutPercent,
    controlExperience: form.controlExperience,
    retrainFrequency: form.retrainFrequency,
    attributionWindowDays: form.attributionWindowDays,
  };
}
