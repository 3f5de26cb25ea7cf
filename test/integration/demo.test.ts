import { randomUUID } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../../app/lib/db.server";
import { DEMO_SHOP } from "../../scripts/demo/config";
import { loadDemoSlice } from "../../scripts/demo/slice-data";
import { freePort, spawnProcess } from "../helpers/child-process";
import { createTestPrefix } from "../helpers/test-redis";

/**
 * `npm run demo -- --exit --slice tiny` end to end, twice: every step for real (migrations, the
 * built app and the worker as processes, signed webhooks over HTTP, training in the sandboxed
 * processor, the admin preview), on a folder and Redis prefix of the test's own.
 */
describe("npm run demo -- --exit --slice tiny", () => {
  const dir = path.join("var/test", `demo-${randomUUID()}`);
  const { prefix, cleanup } = createTestPrefix();
  const db = createDb(`file:${path.resolve(dir, "affinity-demo.db")}`);
  const tiny = loadDemoSlice("tiny");

  afterAll(async () => {
    await db.$disconnect();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runDemo() {
    const args = ["--exit", "--slice", "tiny", "--dir", dir, "--prefix", prefix];
    args.push("--port", String(await freePort()), "--admin-port", String(await freePort()));
    args.push("--redis-url", process.env.REDIS_URL!);
    const demo = spawnProcess(process.execPath, ["--import", "tsx", "scripts/demo/main.ts", ...args], {});
    const { code } = await demo.exited;
    return { code, out: demo.stdout(), err: demo.stderr() };
  }

  it("runs every step, replays the shop into the database, trains it and stops everything", async () => {
    const { code, out, err } = await runDemo();

    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toMatch(/steps\s+10 succeeded, 0 failed/);
    expect(out).toMatch(/admin\s+http:\/\/127\.0\.0\.1:\d+\//);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } });
    expect(await db.product.count({ where: { shopId: shop.id } })).toBe(tiny.products.length);
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(tiny.orders.length);
    const lines = await db.orderLine.count({ where: { shopId: shop.id } });
    expect(lines).toBe(tiny.orders.reduce((sum, o) => sum + o.lines.length, 0));
    const runs = await db.modelRun.findMany({ where: { shopId: shop.id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", orders: tiny.orders.length, trigger: "manual" });
    expect(shop.activeModelRunId).toBe(runs[0]!.id);
    expect(Object.keys(JSON.parse(runs[0]!.metrics).baselines)).toEqual(
      expect.arrayContaining(["popularity", "repeat", "cosine"]),
    );
    // Every process it started has exited and removed its pid file.
    expect(readdirSync(path.join(dir, "pids"))).toEqual([]);
  }, 180_000);

  it("run again, reuses the stored shop and model instead of replaying and training", async () => {
    const { code, out } = await runDemo();

    expect(code).toBe(0);
    expect(out).toMatch(/already in the database: [\d,]+ products, [\d,]+ orders \(nothing sent\)/);
    expect(out).toMatch(/kept the model already trained/);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } });
    expect(await db.modelRun.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(tiny.orders.length);
  }, 120_000);
});
