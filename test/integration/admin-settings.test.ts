import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { shopKey } from "../../app/lib/storefront-store/keys";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { saveShopSettings, type SaveSettingsDeps } from "../../app/lib/admin/settings.server";
import { ShopNotFoundError } from "../../app/lib/shops/registry.server";
import { MAX_COLLECTION_PRODUCTS } from "../../app/lib/sync/collection-products.server";
import { QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { settingsToForm } from "../../app/lib/settings/form";
import { DEFAULT_SETTINGS, parseStoredSettings } from "../../app/lib/settings/settings-schema";
import { createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { seedShop } from "../helpers/admin-seed";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { redirectShopifyTo, type ShopifyRedirect } from "../helpers/shopify-network";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "settings-shop.myshopify.com";
const TOKEN = "shpat_settings_token";
const CRON = "17 3 * * *";
const form = (over: Record<string, unknown> = {}) => ({ ...settingsToForm(DEFAULT_SETTINGS), ...over });

describe("saving a shop's settings", () => {
  const keys = createTestPrefix();
  let t: TestDb;
  let redis: Redis;
  let system: Queue;
  let standIn: AdminApiStandIn;
  let network: ShopifyRedirect;
  let deps: SaveSettingsDeps;
  let shopId: string;

  const stored = async () =>
    parseStoredSettings((await t.db.shop.findUniqueOrThrow({ where: { id: shopId } })).settings);
  const scheduler = () => system.getJobScheduler(`train@${SHOP}`);

  beforeEach(async () => {
    t = createSqliteTestDb();
    redis = new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null });
    system = new Queue(QUEUE_NAMES.system, { connection: redis, prefix: keys.prefix });
    standIn = await startAdminApiStandIn({
      accessToken: TOKEN,
      collections: { "300": ["1", "2", "3", "4", "5"], "301": ["5", "6"] },
      collectionPageSize: 2,
    });
    network = redirectShopifyTo(standIn.origin);
    shopId = await seedShop(t.db, SHOP);
    deps = {
      db: t.db,
      redis,
      prefix: keys.prefix,
      systemQueue: system,
      dailyCron: CRON,
      admin: createAdminGraphql({ shop: SHOP, accessToken: TOKEN }).request,
    };
    await redis.set(shopKey(keys.prefix, SHOP, "state"), "cached");
  });

  afterEach(async () => {
    network.restore();
    await standIn.close();
    await system.close();
    redis.disconnect();
    await keys.cleanup();
    await t.drop();
  });

  it("resolves collections page by page, publishes a changed heading, forgets the cached state and reschedules", async () => {
    const result = await saveShopSettings(
      deps,
      SHOP,
      form({
        excludedCollections: [
          { id: "300", title: "Clearance" },
          { id: "301", title: "Samples" },
        ],
        blockHeading: "You may also like",
        retrainFrequency: "weekly",
      }),
    );
    expect(result.ok).toBe(true);
    expect((await stored()).exclusions.collectionProductIds).toEqual(["1", "2", "3", "4", "5", "6"]);
    // Three pages of two for the first collection, one for the second.
    expect(standIn.requests.filter((r) => r.kind === "collection")).toHaveLength(4);
    expect(standIn.requests.every((r) => r.shop === SHOP)).toBe(true);
    expect(standIn.metafields.get(SHOP)?.get("affinity.block_defaults")).toEqual({
      type: "json",
      value: JSON.stringify({ heading: "You may also like" }),
    });
    expect(await redis.get(shopKey(keys.prefix, SHOP, "state"))).toBeNull();
    expect((await scheduler())?.pattern).toBe("17 3 * * 1");

    // Saving again without changing the heading or the frequency asks Shopify only for the collections.
    const before = standIn.requests.length;
    await saveShopSettings(deps, SHOP, settingsToForm(await stored()));
    expect(standIn.requests.slice(before).map((r) => r.kind)).toEqual([
      "collection",
      "collection",
      "collection",
      "collection",
    ]);

    await saveShopSettings(deps, SHOP, form({ retrainFrequency: "manual" }));
    expect(await scheduler()).toBeUndefined();
    await saveShopSettings(deps, SHOP, form({ retrainFrequency: "daily" }));
    expect((await scheduler())?.pattern).toBe(CRON);
  });

  it("changes nothing when a collection is gone, too big, or Shopify refuses the token", async () => {
    const attempts = [
      {
        input: form({ excludedCollections: [{ id: "999", title: "Gone" }] }),
        message: /Collection 999 no longer exists/,
      },
      { input: form({ excludedCollections: [{ id: "300", title: "Big" }] }), message: /more than 5,000 products/ },
    ];
    standIn.config.collections["300"] = Array.from({ length: MAX_COLLECTION_PRODUCTS + 1 }, (_, i) => String(i + 1));
    standIn.config.collectionPageSize = 250;
    for (const { input, message } of attempts) {
      const result = await saveShopSettings(deps, SHOP, input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors.excludedCollections).toMatch(message);
    }
    const refused = await saveShopSettings(
      { ...deps, admin: createAdminGraphql({ shop: SHOP, accessToken: "revoked" }).request },
      SHOP,
      form({ blockHeading: "New heading" }),
    );
    expect(refused).toMatchObject({
      ok: false,
      errors: { blockHeading: expect.stringMatching(/^Shopify did not let us publish/) },
    });
    expect((await t.db.shop.findUniqueOrThrow({ where: { id: shopId } })).settings).toBe("{}");
    expect(await redis.get(shopKey(keys.prefix, SHOP, "state"))).toBe("cached");
    expect(await scheduler()).toBeUndefined();
  });

  it("refuses an invalid form before calling anyone, and a shop that has no row", async () => {
    expect(await saveShopSettings(deps, SHOP, form({ holdoutPercent: "-1" }))).toEqual({
      ok: false,
      errors: { holdoutPercent: "Enter a whole number of percent from 0 to 50." },
    });
    expect(standIn.requests).toEqual([]);
    await expect(saveShopSettings(deps, "nobody.myshopify.com", form())).rejects.toBeInstanceOf(ShopNotFoundError);
    expect(network.blocked).toEqual([]);
  });
});
