import { z } from "zod";

/** A shop's permanent myshopify.com domain, the key every part of the app uses for a shop. */
export const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

export const shopDomainSchema = z.string().regex(SHOP_DOMAIN, "must be a myshopify.com domain");
