import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopKey } from "../../app/lib/storefront-store/keys";
import type { Page } from "playwright-core";
import { Queue } from "bullmq";
import { QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { readShopState } from "../../app/lib/storefront-store/shop-state.server";
import { parseStoredSettings } from "../../app/lib/settings/settings-schema";
import { weeklyCron } from "../../app/lib/training/schedule.server";
import { cardFromProduct } from "../../app/lib/storefront-store/card";
import { writeCards } from "../../app/lib/storefront-store/cards.server";
import { SEED_PRODUCTS, seedModelRuns, seedOrders } from "../helpers/admin-seed";
import { appProxyUrl } from "../helpers/app-proxy";
import { catalogProduct } from "../helpers/storefront-seed";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";
import { TEST_SHOP } from "../helpers/test-env";

/**
 * App Bridge's resource picker, answered by the test: each call takes the next prepared answer
 * (what the merchant would pick in Shopify's picker) and records the options it was opened with.
 */
const PICKER = `
window.__pickerAnswers = [];
window.__pickerCalls = [];
window.shopify.resourcePicker = async (options) => {
  window.__pickerCalls.push(options);
  return window.__pickerAnswers.shift();
};`;

const product = (id: string) => {
  const seeded = SEED_PRODUCTS.find((p) => p.shopifyId === id)!;
  return { id: `gid://shopify/Product/${id}`, title: seeded.title, images: [] };
};

async function pick(page: Page, button: string, answer: unknown[]) {
  await page.evaluate((a) => (window as unknown as { __pickerAnswers: unknown[] }).__pickerAnswers.push(a), answer);
  await page.getByRole("button", { name: button }).click();
}

/** Serving caches a shop's state in process for a second; allow a few. */
const SOON = { timeout: 10_000, interval: 250 };

describe("the settings page, in Chromium", () => {
  let stack: AdminStack;
  /** What the storefront's block gets for an anonymous visitor on the home page, by product id. */
  const recommended = async () => {
    const url = appProxyUrl(stack.origin, "recommendations", { context: "home", limit: "8" }, { shop: TEST_SHOP });
    const response = await fetch(url);
    const body = (await response.json()) as { products: { id: string }[] };
    return body.products.map((p) => p.id);
  };

  beforeAll(async () => {
    stack = await startAdminStack({
      async seed({ t, redis, prefix, shop, shopId }) {
        // A trained shop: its cards and its current run's lists (the catalog, newest id first).
        await writeCards(
          redis,
          prefix,
          shop,
          SEED_PRODUCTS.map((p) => cardFromProduct(catalogProduct(p.shopifyId, { title: p.title }))),
        );
        await seedModelRuns(t.db, redis, prefix, shop, shopId);
        // Repeat customers whose latest orders hold 7 products, 1 of them bought before: 14%.
        await seedOrders(t.db, shopId, [
          { customer: "1", at: "2026-01-01T10:00:00Z", products: ["7001", "7002"] },
          { customer: "1", at: "2026-01-09T10:00:00Z", products: ["7001", "7003"] },
          { customer: "2", at: "2026-01-02T10:00:00Z", products: ["7004"] },
          { customer: "2", at: "2026-01-08T10:00:00Z", products: ["7005", "7006"] },
          { customer: "3", at: "2026-01-03T10:00:00Z", products: ["7007"] },
          { customer: "3", at: "2026-01-07T10:00:00Z", products: ["7008", "7009", "7010"] },
          { customer: "4", at: "2026-01-04T10:00:00Z", products: ["7001"] },
        ]);
      },
      standIn: { collections: { "300": ["7010", "7011", "7012"] }, collectionPageSize: 2 },
    });
  });
  afterAll(() => stack?.stop());

  it("shows inline errors for invalid input and changes nothing, then saves valid settings that the storefront reads", async () => {
    const { page, blocked, close } = await stack.open("/app/settings", PICKER);
    const { t, shopId, redis, prefix, standIn } = stack;
    await page.getByText("Recommendations block").first().waitFor();
    expect(await page.getByText(/In your shop, 14% of the products in a repeat customer's latest order/).count()).toBe(
      1,
    );

    // The storefront, before any change, gets the current run's list as it is.
    await expect.poll(recommended, SOON).toEqual(["7012", "7011", "7010", "7009", "7008", "7007", "7006", "7005"]);

    // Given a holdout above the 50% maximum and a window of 2.5 days, saving is refused field by field.
    await page.getByLabel("Holdout", { exact: true }).fill("75");
    await page.getByLabel("Attribution window").fill("2.5");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Use at most 50 percent.").waitFor();
    expect(await page.getByText("Enter a whole number of days from 1 to 30.").count()).toBe(1);
    expect(await page.getByLabel("Holdout", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Holdout", { exact: true }).inputValue()).toBe("75");
    await page.screenshot({ path: "test-output/admin-settings-errors.png", fullPage: true });
    expect((await t.db.shop.findUniqueOrThrow({ where: { id: shopId } })).settings).toBe("{}");

    // When the merchant fixes them and changes everything else:
    await page.getByLabel("Holdout", { exact: true }).fill("20");
    await page.getByLabel("Attribution window").fill("14");
    await page.getByLabel("Default heading").fill("Picked for you");
    await page.getByRole("button", { name: "Use the suggestion" }).click();
    await page.getByLabel("Hide out-of-stock products").uncheck();
    await pick(page, "Choose products", [product("7002"), product("7003")]);
    // Opened again, the picker starts from what is already chosen.
    await page.locator('[data-field="excludedProducts"] li').nth(1).waitFor();
    await pick(page, "Choose products", [product("7002"), product("7003")]);
    await pick(page, "Choose collections", [{ id: "gid://shopify/Collection/300", title: "Clearance" }]);
    await pick(page, "Choose pinned products", [product("7005"), product("7001")]);
    await page.getByLabel("Product tags").fill("final-sale, Gift");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByText("Best sellers, the same for everyone").click();
    await page.getByText("Weekly", { exact: true }).click();
    await redis.set(shopKey(prefix, TEST_SHOP, "state"), JSON.stringify({ installed: true, settings: {} }));
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Settings saved.").waitFor();

    // Then the row holds them, collections resolved to products through the Admin API (two pages) …
    const stored = parseStoredSettings((await t.db.shop.findUniqueOrThrow({ where: { id: shopId } })).settings);
    expect(stored).toMatchObject({
      includePurchased: false,
      hideOutOfStock: false,
      block: { heading: "Picked for you" },
      pinnedProductIds: ["7005", "7001"],
      holdoutPercent: 20,
      controlExperience: "best_sellers",
      retrainFrequency: "weekly",
      attributionWindowDays: 14,
    });
    expect(stored.exclusions).toEqual({
      productIds: ["7002", "7003"],
      collectionIds: ["300"],
      collectionProductIds: ["7010", "7011", "7012"],
      tags: ["final-sale", "Gift"],
      collectionTitles: { "300": "Clearance" },
    });
    expect(standIn.requests.filter((r) => r.kind === "collection")).toHaveLength(2);
    // … the storefront's cached state was dropped, so serving reads the new settings at once …
    expect(await redis.get(shopKey(prefix, TEST_SHOP, "state"))).toBeNull();
    expect((await readShopState(t.db, redis, prefix, TEST_SHOP))?.settings).toEqual(stored);
    // … the heading reached the theme as the app-data metafield the block reads …
    expect(JSON.parse(standIn.metafields.get(TEST_SHOP)?.get("affinity.block_defaults")?.value ?? "{}")).toEqual({
      heading: "Picked for you",
    });
    // … and the shop's training scheduler now runs weekly.
    const system = new Queue(QUEUE_NAMES.system, { connection: redis, prefix: prefix });
    const scheduler = await system.getJobScheduler(`train@${TEST_SHOP}`);
    expect(scheduler?.pattern).toBe(weeklyCron(process.env.TRAIN_CRON ?? "17 3 * * *"));
    await system.close();

    const calls = await page.evaluate(() => (window as unknown as { __pickerCalls: unknown[] }).__pickerCalls);
    expect(calls).toEqual([
      expect.objectContaining({ type: "product", multiple: 500, selectionIds: [] }),
      expect.objectContaining({
        type: "product",
        multiple: 500,
        selectionIds: [{ id: product("7002").id }, { id: product("7003").id }],
      }),
      expect.objectContaining({ type: "collection", multiple: 50, selectionIds: [] }),
      expect.objectContaining({ type: "product", multiple: 12, selectionIds: [] }),
    ]);

    // The running app's storefront answers follow at once, no restart: the pins first, then the
    // list without the excluded products and the excluded collection's.
    await expect.poll(recommended, SOON).toEqual(["7005", "7001", "7009", "7008", "7007", "7006", "7004"]);

    // A fresh visit shows what was saved.
    await page.reload();
    await page.getByText("Recommendations block").first().waitFor();
    expect(await page.getByLabel("Holdout", { exact: true }).inputValue()).toBe("20");
    const pinned = await page.locator('[data-field="pinnedProducts"] li').allInnerTexts();
    expect(pinned.map((line) => line.replace(/\s+/g, " ").trim())).toEqual([
      `1. ${SEED_PRODUCTS.find((p) => p.shopifyId === "7005")!.title}`,
      `2. ${SEED_PRODUCTS.find((p) => p.shopifyId === "7001")!.title}`,
    ]);
    expect(await page.locator('[data-field="excludedCollections"]').innerText()).toContain("Clearance");
    await page.screenshot({ path: "test-output/admin-settings.png", fullPage: true });
    expect(blocked()).toEqual([]);
    await close();
  });
});
