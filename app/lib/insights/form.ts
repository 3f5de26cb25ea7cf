/** The Customers page's "Write to Shopify" form: which actions, and whether to preview or write. */
import { z } from "zod";

// An unticked checkbox is absent from the form; a ticked one sends "on". Anything else is a
// form we did not render, answered with its field named rather than read as "off".
const checkbox = z
  .enum(["on"], { error: 'must be a ticked checkbox ("on") or absent' })
  .optional()
  .transform((v) => v === "on");

export const insightActionsFormSchema = z
  .object({
    intent: z.enum(["preview", "write"], { error: 'must be "preview" or "write"' }),
    tagsEnabled: checkbox,
    metafieldsEnabled: checkbox,
  })
  .strict();
export type InsightActionsForm = z.output<typeof insightActionsFormSchema>;
