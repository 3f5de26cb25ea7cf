import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markReconnectRequired } from "../../app/lib/shops/reconnect.server";
import { storeOfflineSession } from "../../dev/offline-session";
import { seedFinishedImport, seedModelRuns } from "../helpers/admin-seed";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";

const BANNER = "Affinity needs to reconnect to your store";

describe("the reconnect banner, in Chromium", () => {
  let stack: AdminStack;

  beforeAll(async () => {
    stack = await startAdminStack({
      async seed({ t, redis, prefix, shop, shopId }) {
        // An expiring token with most of its hour left: nothing renews it on its own.
        await storeOfflineSession(t.db, shop, { scope: process.env.SCOPES, expires: new Date(Date.now() + 3_000_000) });
        await seedFinishedImport(t.db, shopId);
        await seedModelRuns(t.db, redis, prefix, shop, shopId);
      },
    });
  });
  afterAll(() => stack?.stop());

  it("given a shop Shopify stopped renewing, shows the banner; Reconnect exchanges a fresh token and it goes away", async () => {
    await markReconnectRequired(stack.t.db, stack.shop, "unavailable", new Date("2026-12-01T09:00:00Z"));
    const { page, close } = await stack.open("/app/model");
    const banner = page.getByText(BANNER);
    await banner.waitFor();
    await page.getByText("Current model", { exact: true }).first().waitFor();
    await page.screenshot({ path: "test-output/admin-reconnect-banner.png", fullPage: true });
    expect(await page.getByRole("link", { name: "Reinstall Affinity" }).getAttribute("href")).toBe(
      `https://${stack.shop}/admin/oauth/install?client_id=${process.env.SHOPIFY_API_KEY}`,
    );

    const before = (await stack.t.db.session.findUniqueOrThrow({ where: { id: `offline_${stack.shop}` } })).accessToken;
    await page.getByRole("button", { name: "Reconnect" }).click();
    await banner.waitFor({ state: "detached" });
    const after = await stack.t.db.session.findUniqueOrThrow({ where: { id: `offline_${stack.shop}` } });
    expect(after.accessToken).not.toBe(before);
    expect(stack.standIn.tokens.accepts(stack.shop, after.accessToken)).toBe(true);
    expect(await stack.t.db.shop.findUniqueOrThrow({ where: { domain: stack.shop } })).toMatchObject({
      reconnectRequiredAt: null,
      status: "installed",
    });
    await close();
  });
});
