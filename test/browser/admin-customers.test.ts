import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { activateRun, writeRunLists } from "../../app/lib/storefront-store/run-lists.server";
import { QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { createLogger } from "../../app/lib/logger.server";
import { createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { runInsightWrite } from "../../app/lib/insights/write.server";
import { createCustomerStore } from "../helpers/customer-insights-stand-in";
import { redirectShopifyTo } from "../helpers/shopify-network";
import { seedFinishedImport } from "../helpers/admin-seed";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";

const metrics = (auc: number, brier: number) => ({ auc, prAuc: 0.7, brier, n: 400, positives: 200 });

describe("the Customers page, in Chromium", () => {
  let stack: AdminStack;

  beforeAll(async () => {
    stack = await startAdminStack({
      async seed({ t, redis, prefix, shop, shopId }) {
        await seedFinishedImport(t.db, shopId);
        const run = await t.db.churnRun.create({
          data: {
            shopId,
            horizonDays: 63,
            served: "model",
            reason: "model AUC 0.742 beats rfm 0.734",
            metrics: JSON.stringify({
              model: metrics(0.742, 0.207),
              recency: metrics(0.667, 0.237),
              rfm: metrics(0.734, 0.206),
              followUp: { markedAt: Date.UTC(2026, 8, 28), horizonDays: 63, marked: 150, churned: 93 },
              spend: {
                periods: [0, 1, 2, 3, 4, 5].map((k) => Date.UTC(2026, 5, 4) + k * 30 * 86_400_000),
                revenue: {
                  new: [0, 0, 0, 0, 0, 40],
                  active: [0, 0, 0, 0, 0, 0],
                  at_risk: [300, 250, 200, 120, 80, 0],
                  lapsed: [60, 0, 0, 0, 0, 0],
                  champion: [500, 500, 500, 500, 500, 500],
                },
              },
              segmentSizes: {
                asOf: [0, 1, 2, 3, 4, 5].map((k) => Date.UTC(2026, 6, 4) + k * 30 * 86_400_000),
                counts: {
                  new: [3, 2, 4, 1, 0, 1],
                  active: [9, 8, 6, 5, 4, 0],
                  at_risk: [1, 3, 5, 7, 9, 2],
                  lapsed: [0, 0, 1, 1, 1, 1],
                  champion: [2, 2, 2, 1, 1, 1],
                },
              },
            }),
            customers: 5,
          },
        });
        const rows = [
          ["501", "at_risk", 0.81, 950],
          ["502", "at_risk", 0.66, 120],
          ["503", "champion", 0.12, 3000],
          ["504", "new", 0.5, 40],
          ["505", "lapsed", 0.95, 60],
        ] as const;
        for (const [customer, segment, risk, value] of rows) {
          await t.db.churnPrediction.create({
            data: {
              shopId,
              customerShopifyId: customer,
              runId: run.id,
              risk,
              value,
              segment,
              expectedNextAt: new Date("2026-12-20T00:00:00Z"),
            },
          });
        }
        // The recommender's own list for customer 501: their recommended products.
        await writeRunLists(redis, prefix, shop, "run-1", {
          forCustomer: new Map([["501", ["7003", "7001"]]]),
          related: new Map(),
          popular: ["7001"],
        });
        await activateRun(redis, prefix, shop, "run-1");
      },
    });
  });
  afterAll(() => stack?.stop());

  it("shows segments, the at-risk table by value with recommendations, the metrics in words, and exports CSV", async () => {
    const { page, blocked, close } = await stack.open("/app/customers");
    await page.getByRole("heading", { name: "Segments" }).waitFor();
    const body = await page.locator("body").innerText();
    expect(body).toMatch(/At risk\s+2\s+1070\.00/);
    expect(body).toMatch(/Champions\s+1\s+3000\.00/);

    // The at-risk table is the one in the card with that heading.
    const rows = page
      .getByRole("heading", { name: "At-risk customers with the most value" })
      .locator("xpath=ancestor::div[.//table][1]")
      .locator("table tbody tr");
    expect(await rows.count()).toBe(2);
    const first = await rows.nth(0).innerText();
    expect(first).toContain("501");
    expect(first).toContain("81 %");
    expect(first).toContain("2026-12-20");
    expect(first).toContain("Ceramic Pour-Over, Enamel Coffee Mug");
    expect(await rows.nth(1).innerText()).toContain("502");

    expect(body).toContain("ranks them right 74 % of the time");
    expect(body).toContain("alone ranks them right 67 %");
    // PR-AUC and the Brier score, in words, for the model and both baselines.
    expect(body).toContain(
      "averages the model 70 %, the recency-frequency-value score 70 %, days since last order 70 %",
    );
    expect(body).toContain(
      "lower is better): the model 0.207, the recency-frequency-value score 0.206, days since last order 0.237.",
    );
    expect(body).toContain(
      "Of the 150 customers these scores would have marked at risk on 2026-09-28, 62 % did not order again within 63 days.",
    );
    // Spend by today's segments over six 30-day periods, oldest first: at-risk spend falling away.
    expect(body).toContain("Spend by segment, last 6 months");
    expect(body).toMatch(/At risk\s+300\.00\s+250\.00\s+200\.00\s+120\.00\s+80\.00\s+0\.00/);
    expect(body).toMatch(/Jun 2026\s+Jul 2026/);
    // Segment sizes at the end of each period, beside the spend, saying where past dates' risk comes from.
    expect(body).toContain("Segment sizes, last 6 months");
    expect(body).toMatch(/At risk\s+1\s+3\s+5\s+7\s+9\s+2/);
    expect(body).toMatch(/Jul 4, 2026\s+Aug 3, 2026/);
    expect(body).toContain("earlier dates use the recency, frequency and spend baseline");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Export CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("affinity-customers.csv");
    const csv = (await readFile((await download.path())!, "utf8")).trim().split("\n");
    expect(csv[0]).toBe("customer_id,segment,churn_risk,expected_next_order,value");
    expect(csv[1]).toBe("505,lapsed,0.9500,2026-12-20,60.00");
    expect(csv).toHaveLength(6);
    expect(blocked()).toEqual([]);
    await close();
  });

  it("rejects an out-of-range threshold with its message and keeps the stored one, then saves a valid one", async () => {
    const { page, close } = await stack.open("/app/customers");
    const risk = page.getByLabel("At risk from this churn risk (0.05 to 0.95)");
    await risk.fill("1.5");
    await page.getByRole("button", { name: "Save thresholds" }).click();
    await page.getByText("atRiskThreshold: At most 0.95").waitFor();
    expect(await stack.t.db.customerInsightSettings.count()).toBe(0);
    await risk.fill("0.7");
    await page.getByRole("button", { name: "Save thresholds" }).click();
    await page.getByText("Saved: segments follow at the next training.").waitFor();
    const row = await stack.t.db.customerInsightSettings.findUniqueOrThrow({ where: { shopId: stack.shopId } });
    expect(JSON.parse(row.settings)).toMatchObject({ atRiskThreshold: 0.7, championShare: 0.1 });
    await close();
  });

  it("previews what writing tags would change before anything is written, then saves the opt-in, queues the write and shows its outcome", async () => {
    const { page, blocked, close } = await stack.open("/app/customers");
    stack.standIn.config.customers = createCustomerStore(["501", "502", "503", "504", "505"]);
    const writeButton = page.getByRole("button", { name: "Save and write to Shopify" });
    expect(await writeButton.isDisabled()).toBe(true);

    await page.getByLabel("Tag customers with their segment (affinity:at-risk, affinity:champion, …)").check();
    await page.getByRole("button", { name: "Preview changes" }).click();
    await page.getByText("This write changes 5 customers").waitFor();
    const body = await page.locator("body").innerText();
    expect(body).toMatch(/Tags added\s+5/);
    expect(body).toMatch(/Metafields written\s+0/);
    expect(body).toContain("affinity:at-risk: 2");
    expect(body).toMatch(/501\s+Tags added: affinity:at-risk/);
    // A preview writes nothing and saves nothing.
    expect(stack.standIn.requests.filter((r) => r.kind === "stage" || r.kind === "runMutation")).toEqual([]);
    const saved = async () =>
      JSON.parse(
        (await stack.t.db.customerInsightSettings.findUnique({ where: { shopId: stack.shopId } }))?.settings ?? "{}",
      ) as Record<string, unknown>;
    expect((await saved()).tagsEnabled).not.toBe(true);

    await writeButton.click();
    await page.getByText("Saved: the write to Shopify has started.").waitFor();
    // The thresholds saved earlier are kept beside the opt-in.
    expect(await saved()).toMatchObject({ tagsEnabled: true, metafieldsEnabled: false, atRiskThreshold: 0.7 });
    const queue = new Queue(QUEUE_NAMES.backfill, { connection: stack.redis, prefix: stack.prefix });
    const job = await queue.getJob(`insight-write-${stack.shop}`);
    expect(job?.name).toBe("insight-write");
    expect(job?.data).toEqual({ shop: stack.shop });
    await queue.close();

    // The app exchanged the seeded token for an expiring one when the page loaded: use what is stored.
    const sessionToken = async () =>
      (await stack.t.db.session.findUniqueOrThrow({ where: { id: `offline_${stack.shop}` } })).accessToken;
    // The worker's part, run here against the same stand-in: then the page shows the outcome.
    const network = redirectShopifyTo(stack.standIn.origin);
    try {
      const { request } = createAdminGraphql({ shop: stack.shop, accessToken: await sessionToken() });
      await runInsightWrite({
        db: stack.t.db,
        admin: request,
        shopId: stack.shopId,
        log: createLogger("silent"),
        pollIntervalMs: 5,
      });
    } finally {
      network.restore();
    }
    expect([...stack.standIn.config.customers.get("501")!.tags]).toEqual(["affinity:at-risk"]);
    await page.reload();
    await page.getByText(/Last write finished .* 5 changes written, 0 refused by Shopify/).waitFor();
    expect(blocked()).toEqual([]);
    await close();
  });
});
