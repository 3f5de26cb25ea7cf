import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { loadDashboard } from "../../app/lib/admin/dashboard.server";
import { parseDateRange } from "../../app/lib/admin/date-range";
import { modelOverview } from "../../app/lib/admin/model-runs.server";
import { loadOnboarding } from "../../app/lib/admin/onboarding.server";
import { loadSettingsPage } from "../../app/lib/admin/settings.server";
import type { Db } from "../../app/lib/database/client.server";
import { createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { seedConversion, seedFinishedImport, seedModelRuns, seedOrders, seedShop } from "../helpers/admin-seed";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { redirectShopifyTo, type ShopifyRedirect } from "../helpers/shopify-network";
import { createSqliteTestDb, type TestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "reads-shop.myshopify.com";
const TOKEN = "shpat_reads_token";

/**
 * Tables that grow with traffic: one row per event, per visitor in an experiment, per visitor
 * and day. The admin pages must never read them; they read the rollups kept beside them.
 */
const RAW_TABLES = ["Event", "ExperimentVisitor", "VisitorDay"];

/**
 * The database client with every operation it runs recorded, as "Model.operation" or
 * "$queryRaw", and every relation an operation pulls in with it, as "Model.relation".
 */
function recording(db: Db) {
  const calls: string[] = [];
  const relations: string[] = [];
  const recorded = db.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        calls.push(model ? `${model}.${operation}` : operation);
        const { include = {}, select = {} } = (args ?? {}) as Record<string, Record<string, unknown> | undefined>;
        for (const [field, value] of Object.entries({ ...include, ...select })) {
          if (value && (field in include || typeof value === "object")) relations.push(`${model}.${field}`);
        }
        return query(args);
      },
    },
  }) as unknown as Db;
  return { db: recorded, calls, relations };
}

describe("what the admin pages read", () => {
  const keys = createTestPrefix();
  let t: TestDb;
  let redis: Redis;
  let standIn: AdminApiStandIn;
  let network: ShopifyRedirect;

  beforeAll(async () => {
    t = createSqliteTestDb();
    redis = new Redis(process.env.REDIS_URL!);
    const shopId = await seedShop(t.db, SHOP);
    await seedFinishedImport(t.db, shopId);
    await seedModelRuns(t.db, redis, keys.prefix, SHOP, shopId);
    await seedConversion(t.db, shopId, new Date(), 30);
    await seedOrders(t.db, shopId, [
      { customer: "1", at: "2026-01-01T10:00:00Z", products: ["7001"] },
      { customer: "1", at: "2026-01-02T10:00:00Z", products: ["7001", "7002"] },
    ]);
    standIn = await startAdminApiStandIn({ accessToken: TOKEN });
    network = redirectShopifyTo(standIn.origin);
  });
  afterAll(async () => {
    network?.restore();
    await standIn?.close();
    redis?.disconnect();
    await keys.cleanup();
    await t?.drop();
  });

  it("given a shop with weeks of traffic, no page reads a raw event table, and the settings page groups orders once a day at most", async () => {
    const { db, calls, relations } = recording(t.db);
    const deps = { db, redis, prefix: keys.prefix };
    const shop = await t.db.shop.findUniqueOrThrow({ where: { domain: SHOP } });

    // Home: the setup guide and the dashboard over the longest preset.
    const admin = createAdminGraphql({ shop: SHOP, accessToken: TOKEN }).request;
    await loadOnboarding({ ...deps, apiKey: "key", admin }, shop);
    await loadDashboard(db, shop, parseDateRange(new URLSearchParams("range=90d"), new Date()));
    // Model page, then the settings page opened twice.
    await modelOverview(db, SHOP);
    await loadSettingsPage(deps, SHOP);
    const firstSettings = calls.length;
    await loadSettingsPage(deps, SHOP);

    const tables = new Set(calls.filter((c) => c.includes(".")).map((c) => c.split(".")[0]));
    for (const raw of RAW_TABLES) expect(tables).not.toContain(raw);
    expect([...tables].sort()).toEqual([
      "Backfill",
      "DailyRollup",
      "Experiment",
      "ModelRun",
      "Order",
      "OrderAttribution",
      "Product",
      "Shop",
    ]);
    // The experiment's two arm totals come with it; no relation reaches its visitors.
    expect(relations).toEqual(["Experiment.totals"]);
    // Orders are read for the shop's currency: the latest one, one row.
    expect(calls.filter((c) => c.startsWith("Order."))).toEqual(["Order.findFirst"]);
    // The repeat rate groups the shop's orders on the first visit only; then Redis has it.
    expect(calls.filter((c) => c.startsWith("$"))).toEqual(["$queryRaw"]);
    expect(calls.slice(firstSettings)).not.toContain("$queryRaw");
    expect(network.blocked).toEqual([]);
  });
});
