import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopKey } from "../../app/lib/storefront-store/keys";
import type { Page } from "playwright-core";
import { seedBackfills } from "../helpers/admin-seed";
import { embeddedQuery, mintSessionToken } from "../helpers/admin-session";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";
import { DESKTOP_USER_AGENT } from "../helpers/browser";
import { TEST_SHOP } from "../helpers/test-env";

const step = (page: Page, id: string) => page.locator(`li[data-step="${id}"]`);
const statusOf = (page: Page, id: string) => step(page, id).getAttribute("data-status");
/** The page polls every 3 s while the import runs; allow a few rounds. */
const LIVE = { timeout: 20_000, interval: 250 };

describe("the setup guide on a new shop's home page, in Chromium", () => {
  let stack: AdminStack;

  beforeAll(async () => {
    stack = await startAdminStack({
      async seed({ t, shopId }) {
        await seedBackfills(t.db, shopId, [
          { resource: "products", status: "completed", objectCount: 12, recordsImported: 12 },
          { resource: "orders", status: "importing", objectCount: 1_000, recordsImported: 400 },
        ]);
      },
    });
  });
  afterAll(() => stack?.stop());

  it("shows the model and settings pages of a shop with nothing trained and no repeat customer yet", async () => {
    const model = await stack.open("/app/model");
    await model.page.getByText("No model yet: the first training starts when the import finishes.").waitFor();
    expect(await model.page.getByRole("button", { name: "Retrain now" }).isEnabled()).toBe(true);
    expect(await model.page.getByRole("heading", { name: "How well it ranks" }).count()).toBe(0);
    expect(await model.page.getByRole("button", { name: "Roll back to previous model" }).count()).toBe(0);
    await model.page.screenshot({ path: "test-output/admin-model-new-shop.png", fullPage: true });
    await model.close();

    const settings = await stack.open("/app/settings");
    await settings.page.getByText("No customer has ordered twice yet", { exact: false }).waitFor();
    await settings.page.screenshot({ path: "test-output/admin-settings-new-shop.png", fullPage: true });
    await settings.close();
  });

  it("shows each step's live state, follows the import and the training, and connects the pixel", async () => {
    const { page, blocked, close } = await stack.open("/app");
    await page.getByRole("heading", { name: "Set up Affinity" }).waitFor();

    // Given an import half done, no training, no block on the storefront and no pixel:
    expect(await statusOf(page, "sync")).toBe("in_progress");
    expect(await step(page, "sync").innerText()).toContain("400 of 1,000 imported");
    expect(await step(page, "sync").innerText()).toContain("12 imported");
    const bars = step(page, "sync").locator("progress");
    expect(await bars.evaluateAll((els) => els.map((el) => Number((el as HTMLProgressElement).value)))).toEqual([
      100, 40,
    ]);
    expect(await statusOf(page, "train")).toBe("incomplete");
    expect(await statusOf(page, "block")).toBe("incomplete");
    expect(await statusOf(page, "pixel")).toBe("attention");

    // The deep link opens the theme editor with the app block ready to add to the product page.
    const link = new URL(
      (await step(page, "block").getByRole("link", { name: "Add block in theme editor" }).getAttribute("href"))!,
    );
    expect(link.origin + link.pathname).toBe(`https://${TEST_SHOP}/admin/themes/current/editor`);
    expect(Object.fromEntries(link.searchParams)).toEqual({
      template: "product",
      addAppBlockId: `${process.env.SHOPIFY_API_KEY}/recommendations`,
      target: "mainSection",
    });
    expect(await step(page, "block").getByRole("link").getAttribute("target")).toBe("_top");
    // The empty dashboard below points to the same place while the block is not on the storefront.
    expect(await page.getByRole("link", { name: "Open the theme editor" }).getAttribute("href")).toBe(link.href);
    await page.screenshot({ path: "test-output/admin-onboarding.png", fullPage: true });

    // When the import finishes and a training starts, the open page catches up by itself.
    const { t, shopId, redis, prefix, standIn } = stack;
    await seedBackfills(t.db, shopId, [
      { resource: "orders", status: "completed", objectCount: 1_000, recordsImported: 1_000 },
    ]);
    await t.db.modelRun.create({ data: { shopId, trigger: "install", status: "running", orders: 1_000 } });
    await expect.poll(() => statusOf(page, "sync"), LIVE).toBe("complete");
    expect(await step(page, "sync").innerText()).toContain("12 products and 1,000 orders imported.");
    await expect.poll(() => statusOf(page, "train"), LIVE).toBe("in_progress");

    // "Connect pixel" activates the web pixel through the Admin API; Shopify then has it.
    await step(page, "pixel").getByRole("button", { name: "Connect pixel" }).click();
    await page.getByText("Pixel connected.").waitFor();
    expect(standIn.pixels.get(TEST_SHOP)?.id).toMatch(/^gid:\/\/shopify\/WebPixel\//);
    await expect.poll(() => statusOf(page, "pixel"), LIVE).toBe("in_progress");

    // Once the storefront asks for recommendations, the block counts as added.
    await redis.set(shopKey(prefix, TEST_SHOP, "seen"), String(Date.now() - 60_000));
    await t.db.modelRun.updateMany({ where: { shopId }, data: { status: "completed", served: "popularity" } });
    const run = await t.db.modelRun.findFirstOrThrow({ where: { shopId } });
    await t.db.shop.update({ where: { id: shopId }, data: { activeModelRunId: run.id } });
    await expect.poll(() => statusOf(page, "block"), LIVE).toBe("complete");
    expect(await step(page, "block").innerText()).toContain("Detected on your storefront 1 minute ago.");
    expect(await statusOf(page, "train")).toBe("complete");
    // With the block live, the empty dashboard stops sending the merchant to the theme editor.
    expect(await page.getByRole("link", { name: "Open the theme editor" }).count()).toBe(0);
    await page.getByText("The block is on your storefront.", { exact: false }).waitFor();
    await page.screenshot({ path: "test-output/admin-onboarding-later.png", fullPage: true });

    expect(blocked()).toEqual([]);
    await close();
  });

  it("refuses a session token signed with another secret and shows none of the shop's data", async () => {
    const forged = await mintSessionToken(TEST_SHOP, {}, "not-the-app-secret");
    const response = await fetch(`${stack.origin}/app?${embeddedQuery(TEST_SHOP, forged)}`, {
      redirect: "manual",
      headers: { "user-agent": DESKTOP_USER_AGENT },
    });
    expect([302, 401, 403]).toContain(response.status);
    expect(await response.text()).not.toContain("Set up Affinity");
  });

  it("refuses an expired session token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await mintSessionToken(TEST_SHOP, { exp: now - 120, nbf: now - 3600, iat: now - 3600 });
    const response = await fetch(`${stack.origin}/app?${embeddedQuery(TEST_SHOP, expired)}`, {
      redirect: "manual",
      headers: { "user-agent": DESKTOP_USER_AGENT },
    });
    expect(response.status).not.toBe(200);
    expect(await response.text()).not.toContain("Set up Affinity");
  });
});
