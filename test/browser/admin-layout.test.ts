import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopKey } from "../../app/lib/storefront-store/keys";
import { seedFinishedImport, seedConversion, seedModelRuns, seedOrders } from "../helpers/admin-seed";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";

/**
 * The admin's app frame is narrower than the window: beside the admin's sidebar on a small
 * laptop, or the whole width on a tablet or phone. Every page must fit it without a sideways
 * scroll of the page itself (a wide table may scroll inside its own card).
 */
const FRAMES = [
  { name: "tablet", width: 768, height: 1024 },
  { name: "phone", width: 390, height: 844 },
];
const PAGES = [
  { path: "/app", name: "home", ready: "Performance" },
  { path: "/app/model", name: "model", ready: "Current model" },
  { path: "/app/settings", name: "settings", ready: "Recommendations block" },
  { path: "/app/data-requests", name: "data-requests", ready: "Customer 4242" },
];

describe("the admin pages in a narrow frame, in Chromium", () => {
  let stack: AdminStack;

  beforeAll(async () => {
    stack = await startAdminStack({
      async seed({ t, redis, prefix, shop, shopId }) {
        await seedFinishedImport(t.db, shopId);
        await seedModelRuns(t.db, redis, prefix, shop, shopId);
        await seedConversion(t.db, shopId, new Date());
        await seedOrders(t.db, shopId, [
          { customer: "1", at: "2026-01-01T10:00:00Z", products: ["7001"] },
          { customer: "1", at: "2026-01-09T10:00:00Z", products: ["7001", "7003"] },
        ]);
        await redis.set(shopKey(prefix, shop, "seen"), String(Date.now() - 60_000));
        await t.db.dataRequest.create({
          data: { shopId, customerShopifyId: "4242", webhookId: "wh-layout", report: "{}" },
        });
      },
    });
  });
  afterAll(() => stack?.stop());

  for (const frame of FRAMES) {
    for (const target of PAGES) {
      it(`fits the ${target.name} page in a ${frame.name} frame (${frame.width} px)`, async () => {
        const { page, close } = await stack.open(target.path, "", frame);
        await page.getByText(target.ready, { exact: true }).first().waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
        await page.screenshot({ path: `test-output/admin-${target.name}-${frame.name}.png`, fullPage: true });
        expect(overflow).toBeLessThanOrEqual(0);
        await close();
      });
    }
  }
});
