import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { findShop, recordInstall } from "../../app/lib/shops/registry.server";
import { createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";

describe.each(DATABASE_KINDS)("database on %s", (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind);
  });
  afterAll(async () => {
    await t.drop();
  });

  it("has every committed migration applied", async () => {
    const rows = await t.db.$queryRawUnsafe<Array<{ migration_name: string }>>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL`,
    );
    expect(rows.map((r) => r.migration_name)).toContain("20261128000000_init");
  });

  it("stores and loads a Shopify offline session through the official Prisma storage", async () => {
    const storage = new PrismaSessionStorage(t.db);
    const session = new Session({
      id: "offline_a.myshopify.com",
      shop: "a.myshopify.com",
      state: "state",
      isOnline: false,
      scope: "read_products",
      accessToken: "shpat_test",
    });
    expect(await storage.storeSession(session)).toBe(true);
    const loaded = await storage.loadSession(session.id);
    expect(loaded?.accessToken).toBe("shpat_test");
    expect(loaded?.shop).toBe("a.myshopify.com");
    expect((await storage.findSessionsByShop("a.myshopify.com")).map((s) => s.id)).toEqual([session.id]);
    expect(await storage.deleteSession(session.id)).toBe(true);
    expect(await storage.loadSession(session.id)).toBeUndefined();
  });

  it("records an install once, however often the merchant logs in", async () => {
    const first = await recordInstall(t.db, "b.myshopify.com", new Date("2026-01-01T00:00:00Z"));
    const again = await recordInstall(t.db, "b.myshopify.com", new Date("2026-02-01T00:00:00Z"));
    expect(again.id).toBe(first.id);
    expect(again.installedAt.toISOString()).toBe("2026-01-01T00:00:00.000Z");
    expect(await t.db.shop.count({ where: { domain: "b.myshopify.com" } })).toBe(1);
    expect(await findShop(t.db, "unknown.myshopify.com")).toBeUndefined();
  });

  it("re-marks an uninstalled shop as installed when it comes back", async () => {
    await t.db.shop.update({
      where: { domain: "b.myshopify.com" },
      data: { status: "uninstalled", uninstalledAt: new Date() },
    });
    const back = await recordInstall(t.db, "b.myshopify.com");
    expect(back.status).toBe("installed");
    expect(back.uninstalledAt).toBeNull();
  });
});
