// Entry point the Shopify CLI bundles. The work is in pixel.ts, plain functions that tests drive
// without Shopify's sandbox.
import { register } from "@shopify/web-pixels-extension";
import { startPixel } from "./pixel";

register((api) => startPixel(api));
