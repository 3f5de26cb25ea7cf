/** The merchant's churn settings, validated at every entry (admin form, database row). */
import { z } from "zod";

export const churnSettingsSchema = z
  .object({
    /** Risk at or above this marks an active customer "at risk". */
    atRiskThreshold: z.number().min(0.05).max(0.95).default(0.6),
    /** Share of active customers, by value, who count as champions (0.1 = top decile). */
    championShare: z.number().min(0.01).max(0.5).default(0.1),
    tagsEnabled: z.boolean().default(false),
    metafieldsEnabled: z.boolean().default(false),
  })
  .strict();

export type ChurnSettings = z.infer<typeof churnSettingsSchema>;
export const DEFAULT_CHURN_SETTINGS: ChurnSettings = churnSettingsSchema.parse({});

/** Form fields arrive as strings; coerces them, then applies the same rules. */
export const churnSettingsFormSchema = z.object({
  atRiskThreshold: z.coerce.number().min(0.05, "At least 0.05").max(0.95, "At most 0.95"),
  championShare: z.coerce.number().min(0.01, "At least 0.01").max(0.5, "At most 0.5"),
  tagsEnabled: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
  metafieldsEnabled: z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean()),
});

/** The thresholds form alone: saving it keeps the merchant's opt-ins as they are. */
export const churnThresholdsFormSchema = churnSettingsFormSchema.pick({ atRiskThreshold: true, championShare: true });
