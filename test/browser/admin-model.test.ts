import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Queue, Worker, type Job } from "bullmq";
import { QUEUE_NAMES } from "../../app/lib/jobs/queues";
import { activeRunId } from "../helpers/store-reads";
import { trainJobId } from "../../app/lib/training/train-queue.server";
import { formatCount } from "../../app/lib/admin/format";
import { RANKERS } from "../../app/lib/admin/model-metrics";
import type { EpochProgress } from "../../app/lib/model/dnn";
import { SEED_METRICS, seedFinishedImport, seedModelRuns } from "../helpers/admin-seed";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";
import { TEST_SHOP } from "../helpers/test-env";

const SOON = { timeout: 15_000, interval: 200 };

/** A gate the test opens when it has seen what the page shows at one step of the training. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("the model page, in Chromium", () => {
  let stack: AdminStack;
  let runs: Awaited<ReturnType<typeof seedModelRuns>>;

  beforeAll(async () => {
    stack = await startAdminStack({
      async seed({ t, redis, prefix, shop, shopId }) {
        await seedFinishedImport(t.db, shopId);
        runs = await seedModelRuns(t.db, redis, prefix, shop, shopId);
      },
    });
  });
  afterAll(() => stack?.stop());

  it("shows the current model beside the baselines, and its history", async () => {
    const { page, blocked, close } = await stack.open("/app/model");
    await page.getByRole("heading", { name: "Current model" }).waitFor();
    const card = await page.locator("body").innerText();
    expect(card).toContain("wasm");
    expect(card).toContain(formatCount(runs.current.orders));
    expect(card).toContain(formatCount(runs.current.examples));

    const rows = page.locator(".Polaris-DataTable__TableRow");
    expect(await rows.count()).toBe(1 + Object.keys(SEED_METRICS.baselines).length);
    const first = await rows.first().innerText();
    expect(first).toContain("Affinity model");
    expect(first).toContain("Served");
    for (const value of [SEED_METRICS.model.all.ndcg, SEED_METRICS.model.new.hr, SEED_METRICS.model.all.recall]) {
      expect(first).toContain(value.toFixed(3));
    }
    // Every ranker carries its one-line explanation, and both settings have their columns.
    for (const ranker of Object.values(RANKERS)) {
      expect(await rows.filter({ hasText: ranker.label }).first().innerText()).toContain(ranker.explanation);
    }
    const headings = await page.locator(".Polaris-DataTable__Cell--header").allInnerTexts();
    for (const setting of ["All", "New"]) {
      for (const metric of ["HR", "Recall", "NDCG"]) expect(headings).toContain(`${setting} · ${metric}`);
    }
    const repeat = await rows.filter({ hasText: "Buy again" }).innerText();
    expect(repeat).toContain(SEED_METRICS.baselines.repeat.all.ndcg.toFixed(3));
    expect(await page.getByText("Your shop is being served a baseline").count()).toBe(0);
    // Each block strategy's figure, in plain words.
    await page.getByRole("heading", { name: "What each block shows" }).waitFor();
    expect(await page.locator("body").innerText()).toContain(
      "New for you: 7 % better than “Bought together (normalised)” at predicting the next new product.",
    );
    // The holdout group's best sellers, measured like the rest (for you here: the model's 0.281 "all").
    expect(await page.getByText("Holdout group", { exact: true }).count()).toBe(1);
    expect(await page.locator("body").innerText()).toContain(
      "Best sellers of the last 90 days (what the holdout group sees when you show it best sellers): 75 % worse than “For you” at predicting the next order.",
    );
    expect(await page.locator(".Polaris-IndexTable__TableRow").count()).toBe(2);
    await page.screenshot({ path: "test-output/admin-model.png", fullPage: true });
    expect(blocked()).toEqual([]);
    await close();
  });

  it("“Retrain now” queues a training job whose progress the page follows until it ends", async () => {
    const { page, close } = await stack.open("/app/model");
    await page.getByRole("button", { name: "Retrain now" }).click();
    const status = page.getByTestId("training-status");
    await status.getByText("Queued: waiting for a worker").waitFor();
    const queue = new Queue(QUEUE_NAMES.train, { connection: stack.redis, prefix: stack.prefix });
    const job = await queue.getJob(trainJobId(TEST_SHOP, "a"));
    expect(job?.data).toEqual({ shop: TEST_SHOP, trigger: "manual" });
    expect(await job?.getState()).toBe("waiting");

    // A worker on the real queue takes the job and reports epochs as the training processor does
    // (its EpochProgress, so a change of that shape fails here too).
    const steps = [gate(), gate()];
    const worker = new Worker(
      QUEUE_NAMES.train,
      async (taken: Job) => {
        await taken.updateProgress({
          epoch: 1,
          epochs: 4,
          loss: 6.1,
          examplesPerSecond: 610,
          etaSeconds: 150,
        } satisfies EpochProgress);
        await steps[0]!.opened;
        await taken.updateProgress({
          epoch: 3,
          epochs: 4,
          loss: 5.2,
          examplesPerSecond: 640,
          etaSeconds: 40,
        } satisfies EpochProgress);
        await steps[1]!.opened;
        await stack.t.db.modelRun.create({
          data: {
            shopId: stack.shopId,
            trigger: "manual",
            status: "completed",
            served: "model",
            backend: "wasm",
            orders: 1_950,
          },
        });
        return { ok: true };
      },
      { connection: stack.redis.duplicate(), prefix: stack.prefix },
    );
    const bar = page.locator("progress").first();
    await expect.poll(() => status.innerText(), SOON).toBe("Epoch 1 of 4 · about 3 minutes left");
    expect(await bar.evaluate((el) => (el as HTMLProgressElement).value)).toBe(25);
    await page.screenshot({ path: "test-output/admin-model-training.png", fullPage: true });
    steps[0]!.open();
    await expect.poll(() => status.innerText(), SOON).toBe("Epoch 3 of 4 · less than a minute left");
    expect(await bar.evaluate((el) => (el as HTMLProgressElement).value)).toBe(75);
    steps[1]!.open();
    // When the job ends, the bar goes and the page reloads its data: the new run is listed.
    await expect.poll(() => status.count(), SOON).toBe(0);
    await expect.poll(() => page.locator(".Polaris-IndexTable__TableRow").count(), SOON).toBe(3);
    await worker.close();
    await queue.close();
    await close();
  });

  it("rolls back to the previous model in Redis and on the shop row, after a confirmation", async () => {
    const { page, close } = await stack.open("/app/model");
    await page.getByRole("button", { name: "Roll back to previous model" }).click();
    await page.getByText("Serve the previous model again?").waitFor();
    expect(await activeRunId(stack.redis, stack.prefix, TEST_SHOP)).toBe(runs.current.id);
    await page.getByRole("button", { name: "Roll back", exact: true }).click();
    await page.getByText("Rolled back: shoppers now get the previous model's recommendations.").waitFor();

    expect(await activeRunId(stack.redis, stack.prefix, TEST_SHOP)).toBe(runs.older.id);
    const shop = await stack.t.db.shop.findUniqueOrThrow({ where: { id: stack.shopId } });
    expect([shop.activeModelRunId, shop.previousModelRunId]).toEqual([runs.older.id, runs.current.id]);
    // The older run served a baseline, so the page now says so, and why.
    await page.getByText("Your shop is being served a baseline").waitFor();
    expect(await page.getByText("Serve the previous model again?").count()).toBe(0);
    expect(await page.getByText(/Your shop gets the “Buy again” recommendations/).count()).toBe(1);
    await page.screenshot({ path: "test-output/admin-model-rolled-back.png", fullPage: true });
    await close();
  });
});
