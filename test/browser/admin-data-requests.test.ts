import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatDay } from "../../app/lib/admin/format";
import { addDays, localDay } from "../../app/lib/time-zone";
import { seedFinishedImport } from "../helpers/admin-seed";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";

const ZONE = "America/Los_Angeles";
const DAY_MS = 24 * 3600_000;

describe("the data requests page and the shop's time zone, in Chromium", () => {
  let stack: AdminStack;
  // 05:00 UTC yesterday is still the day before in Los Angeles, so the page's dates show the zone.
  const now = new Date();
  const recent = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 1, 5));
  const old = new Date(recent.getTime() - 40 * DAY_MS);
  const shown = (at: Date) => formatDay(localDay(at, ZONE));

  beforeAll(async () => {
    stack = await startAdminStack({
      async seed({ t, shopId }) {
        await seedFinishedImport(t.db, shopId);
        await t.db.shop.update({ where: { id: shopId }, data: { timeZone: ZONE } });
        for (const [customer, createdAt] of [
          ["4242", recent],
          ["1717", old],
        ] as const) {
          const report = JSON.stringify({ customerShopifyId: customer, orders: [{ shopifyId: "10" }] });
          await t.db.dataRequest.create({
            data: { shopId, customerShopifyId: customer, webhookId: `wh-${customer}`, report, createdAt },
          });
        }
      },
    });
  });
  afterAll(() => stack?.stop());

  it("lists each request with its received and due dates in the shop's zone, and downloads it as JSON", async () => {
    expect(shown(recent)).not.toBe(formatDay(recent.toISOString().slice(0, 10)));
    const { page, blocked, close } = await stack.open("/app/data-requests");
    await page.getByText("Customer 4242").waitFor();
    const rows = page.locator(".Polaris-IndexTable__TableRow");
    expect(await rows.count()).toBe(2);
    const first = await rows.nth(0).innerText();
    expect(first).toContain(shown(recent));
    expect(first).toContain(formatDay(addDays(localDay(recent, ZONE), 30)));
    expect(first).toContain("To hand over");
    const second = await rows.nth(1).innerText();
    expect(second).toContain("Customer 1717");
    expect(second).toContain("Overdue");
    expect(await page.getByText(`Dates are in ${ZONE}`, { exact: false }).count()).toBe(1);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      rows.nth(0).getByRole("button", { name: "Download JSON" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^affinity-customer-4242-\d{4}-\d{2}-\d{2}\.json$/);
    const saved = JSON.parse(await readFile((await download.path())!, "utf8")) as { customerShopifyId: string };
    expect(saved.customerShopifyId).toBe("4242");

    await page.reload();
    await page.getByText("Customer 4242").waitFor();
    expect(await page.locator(".Polaris-IndexTable__TableRow").nth(0).innerText()).toContain("Downloaded");
    expect(blocked()).toEqual([]);
    await close();
  });

  it("says on the home page which zone the days are in, and warns when Shopify's zone was not recognised", async () => {
    await stack.t.db.shop.update({
      where: { id: stack.shopId },
      data: { timeZone: "UTC", timeZoneRejected: "Mars/Olympus_Mons" },
    });
    const { page, close } = await stack.open("/app");
    await page.getByRole("heading", { name: "Performance" }).waitFor();
    expect(await page.getByText("Days in UTC", { exact: true }).count()).toBe(1);
    const banner = await page.getByText("Days are shown in UTC").locator("xpath=ancestor::div[1]").innerText();
    expect(banner).toContain("Days are shown in UTC");
    expect(await page.locator("body").innerText()).toContain("“Mars/Olympus_Mons”");
    await close();
  });
});
