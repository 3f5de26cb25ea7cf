import type { Queue } from "bullmq";
import { storeShopSettings } from "../shops/stored-settings.server";
import type { RedisClient } from "../redis.server";
import type { Db } from "../database/client.server";
import { forgetShopState } from "../storefront-store/shop-state.server";
import { AdminApiError, type AdminGraphql } from "../shopify/admin-client.server";
import {
  formToSettings,
  parseSettingsForm,
  settingsToForm,
  type FieldErrors,
  type SettingsForm,
} from "../settings/form";
import { parseStoredSettings, type ShopSettings } from "../settings/settings-schema";
import { applyTrainingSchedule } from "../training/schedule.server";
import { MetafieldWriteError, publishBlockDefaults } from "./block-defaults.server";
import { CollectionResolutionError, resolveCollectionProducts } from "../sync/collection-products.server";
import { productSummaries, type ProductSummary } from "./products.server";
import { cachedRepeatRate, type RepeatRate } from "./repeat-rate.server";
import { requireShop } from "../shops/registry.server";

export interface SettingsPage {
  form: SettingsForm;
  /** Titles and images of the excluded and pinned products, by id. */
  products: Record<string, ProductSummary>;
  repeatRate: RepeatRate | null;
}

export async function loadSettingsPage(
  deps: { db: Db; redis: RedisClient; prefix: string },
  shopDomain: string,
): Promise<SettingsPage> {
  const { db } = deps;
  const shop = await requireShop(db, shopDomain);
  const settings = parseStoredSettings(shop.settings);
  const ids = [...settings.exclusions.productIds, ...settings.pinnedProductIds];
  const [products, repeatRate] = await Promise.all([productSummaries(db, shop.id, ids), cachedRepeatRate(deps, shop)]);
  return { form: settingsToForm(settings), products, repeatRate };
}

export interface SaveSettingsDeps {
  db: Db;
  redis: RedisClient;
  /** The Redis key prefix (QUEUE_PREFIX). */
  prefix: string;
  /** The system queue, where shops' training schedulers live. */
  systemQueue: Queue;
  /** TRAIN_CRON: when daily (and, on Mondays, weekly) retrains run. */
  dailyCron: string;
  /** The shop's Admin API, for collections and the block defaults metafield. */
  admin: AdminGraphql;
}

export type SaveSettingsResult = { ok: true; settings: ShopSettings } | { ok: false; errors: FieldErrors };

/**
 * Validates and stores the merchant's settings for the session's shop. Everything that can fail
 * outside the database (Shopify calls) happens first, so a failed save changes nothing. Then the
 * row is written and the storefront's cached copy dropped, so the next recommendation request
 * already follows the new settings.
 */
export async function saveShopSettings(
  deps: SaveSettingsDeps,
  shopDomain: string,
  input: unknown,
): Promise<SaveSettingsResult> {
  const parsed = parseSettingsForm(input);
  if (!parsed.ok) return parsed;
  const shop = await requireShop(deps.db, shopDomain);
  const before = parseStoredSettings(shop.settings);
  const form = parsed.value;

  let collectionProducts: string[] = [];
  try {
    collectionProducts = await resolveCollectionProducts(
      deps.admin,
      form.excludedCollections.map((c) => c.id),
    );
  } catch (error) {
    return { ok: false, errors: { excludedCollections: shopifyProblem(error, "read the collections") } };
  }
  const settings = formToSettings(form, collectionProducts);
  if (settings.block.heading !== before.block.heading) {
    try {
      await publishBlockDefaults(deps.admin, settings.block);
    } catch (error) {
      return { ok: false, errors: { blockHeading: shopifyProblem(error, "publish the heading to your theme") } };
    }
  }

  await storeShopSettings(deps.db, shop.id, settings);
  await forgetShopState(deps.redis, deps.prefix, shopDomain);
  if (settings.retrainFrequency !== before.retrainFrequency) {
    await applyTrainingSchedule(deps.systemQueue, shopDomain, settings.retrainFrequency, deps.dailyCron);
  }
  return { ok: true, settings };
}

function shopifyProblem(error: unknown, what: string): string {
  if (error instanceof CollectionResolutionError) return error.message;
  if (error instanceof MetafieldWriteError) return `Shopify refused to ${what}: ${error.message}`;
  if (error instanceof AdminApiError) {
    return `Shopify did not let us ${what}${error.retryable ? "; please try again in a moment" : ""}. (${error.message})`;
  }
  throw error;
}
