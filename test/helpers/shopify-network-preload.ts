/**
 * Loaded with `node --import` into an app process a test starts: sends the process's calls to
 * `https://<shop>.myshopify.com` to the Admin API stand-in at AFFINITY_TEST_SHOPIFY_ORIGIN and
 * refuses every other outbound request. It runs before the app's modules, so the Shopify
 * library's fetch is this one too.
 */
import { redirectShopifyTo } from "./shopify-network";

const origin = process.env.AFFINITY_TEST_SHOPIFY_ORIGIN;
if (origin) redirectShopifyTo(origin);
