import { z } from "zod";

/** A Shopify numeric id (product, variant, customer, collection…) as the REST payloads and the app proxy give it. */
export const SHOPIFY_ID = /^\d{1,20}$/;

export const shopifyIdSchema = z.string().regex(SHOPIFY_ID, "must be a numeric Shopify id");
