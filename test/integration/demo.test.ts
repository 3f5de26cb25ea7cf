import { randomUUID } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "../../app/lib/database/client.server";
import { DEMO_SHOP } from "../../scripts/demo/config";
import { loadDemoSlice } from "../../scripts/demo/slice-data";
import { freePort, spawnProcess } from "../helpers/child-process";
import { createTestPrefix } from "../helpers/test-redis";

/**
 * `npm run demo -- --exit --slice tiny` end to end, then once more without `--exit`: every step
 * for real (migrations, the built app and the worker as processes, signed webhooks over HTTP,
 * training in the sandboxed processor, the storefront preview, simulated shoppers, the admin
 * preview), on a folder and Redis prefix of the test's own.
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

  async function startDemo(options: { exit: boolean }) {
    const args = ["--slice", "tiny", "--dir", dir, "--prefix", prefix];
    if (options.exit) args.push("--exit");
    args.push("--port", String(await freePort()), "--admin-port", String(await freePort()));
    args.push("--storefront-port", String(await freePort()), "--redis-url", process.env.REDIS_URL!);
    return spawnProcess(process.execPath, ["--import", "tsx", "scripts/demo/main.ts", ...args], {});
  }

  async function runDemo() {
    const demo = await startDemo({ exit: true });
    const { code } = await demo.exited;
    return { code, out: demo.stdout(), err: demo.stderr() };
  }

  // Orders the simulated shoppers placed (ids from 990,000,000; the replayed invoices have six
  // digits starting with 5, so they sort below as strings), apart from the replayed history.
  const trafficOrders = { shopifyId: { gte: "990000000" } };

  it("runs every step, replays the shop into the database, trains it and stops everything", async () => {
    const { code, out, err } = await runDemo();

    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toMatch(/steps\s+10 succeeded, 0 failed/);
    expect(out).toMatch(/admin\s+http:\/\/127\.0\.0\.1:\d+\//);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } });
    expect(await db.product.count({ where: { shopId: shop.id } })).toBe(tiny.products.length);
    expect(await db.order.count({ where: { shopId: shop.id, NOT: trafficOrders } })).toBe(tiny.orders.length);
    const lines = await db.orderLine.count({ where: { shopId: shop.id, order: { NOT: trafficOrders } } });
    expect(lines).toBe(tiny.orders.reduce((sum, o) => sum + o.lines.length, 0));
    const runs = await db.modelRun.findMany({ where: { shopId: shop.id } });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "completed", orders: tiny.orders.length, trigger: "manual" });
    expect(shop.activeModelRunId).toBe(runs[0]!.id);
    expect(Object.keys(JSON.parse(runs[0]!.metrics).baselines)).toEqual(
      expect.arrayContaining(["popularity", "repeat", "cosine"]),
    );
    // The simulated shoppers went through the real endpoints into stored events and rollups.
    expect(out).toMatch(/storefront\s+http:\/\/127\.0\.0\.1:\d+\//);
    const events = await db.event.groupBy({ by: ["type"], where: { shopId: shop.id }, _count: { _all: true } });
    const byType = Object.fromEntries(events.map((e) => [e.type, e._count._all]));
    expect(byType).toMatchObject({
      exposure: expect.any(Number),
      impression: expect.any(Number),
      click: expect.any(Number),
      add_to_cart: expect.any(Number),
      checkout_completed: expect.any(Number),
    });
    const rollups = await db.dailyRollup.aggregate({
      where: { shopId: shop.id },
      _sum: { impressions: true, clicks: true, addToCarts: true, attributedOrders: true },
    });
    expect(rollups._sum.impressions).toBe(byType.impression);
    expect(rollups._sum.clicks).toBe(byType.click);
    expect(rollups._sum.addToCarts).toBe(byType.add_to_cart);
    expect(rollups._sum.attributedOrders).toBeGreaterThan(0);
    const arms = await db.dailyRollup.findMany({ where: { shopId: shop.id, arm: { not: "" } }, select: { arm: true } });
    expect(new Set(arms.map((r) => r.arm))).toEqual(new Set(["treatment", "control"]));
    expect(await db.order.count({ where: { shopId: shop.id, ...trafficOrders } })).toBe(byType.checkout_completed);
    // Every process it started has exited and removed its pid file.
    expect(readdirSync(path.join(dir, "pids"))).toEqual([]);
  }, 180_000);

  it("run again, reuses the stored shop, model and traffic, and serves the storefront preview", async () => {
    const eventsBefore = await db.event.count();
    const demo = await startDemo({ exit: false });
    await demo.waitFor(/Press Ctrl-C to stop it all/, 120_000);
    const out = demo.stdout();
    expect(out).toMatch(/already in the database: [\d,]+ products, [\d,]+ orders \(nothing sent\)/);
    expect(out).toMatch(/kept the model already trained/);
    expect(out).toMatch(/already simulated: .* \(nothing sent\)/);
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } });
    expect(await db.modelRun.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await db.order.count({ where: { shopId: shop.id, NOT: trafficOrders } })).toBe(tiny.orders.length);

    // The preview page: the real block, and real customers of the demo shop to browse as.
    const storefront = /storefront\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1]!;
    const home = await fetch(`${storefront}/`);
    const html = await home.text();
    expect(home.status).toBe(200);
    expect(html).toContain("data-affinity-recs");
    const customer = /\?customer=(\d+)/.exec(html)![1]!;
    const buyer = await db.order.findFirst({ where: { shopId: shop.id, customerShopifyId: customer } });
    expect(buyer).not.toBeNull();
    // Through the signing proxy to the app, as that customer, in the preview's treatment arm.
    const chosen = await fetch(`${storefront}/?customer=${customer}`);
    const cookie = chosen.headers.get("set-cookie")!.split(";")[0]!;
    const visitor = /visitor <code>([\w-]+)<\/code>/.exec(await chosen.text())![1]!;
    const recs = await fetch(`${storefront}/apps/affinity/recommendations?context=home&limit=4&visitor=${visitor}`, {
      headers: { cookie },
    });
    const body = (await recs.json()) as { recommendationId: string; products: Array<{ id: string }> };
    expect(recs.status).toBe(200);
    expect(body.products.length).toBeGreaterThan(0);
    const stored = await db.product.count({
      where: { shopId: shop.id, shopifyId: { in: body.products.map((p) => p.id) } },
    });
    expect(stored).toBe(body.products.length);
    // What the block asks: the app's Liquid, rendered by the preview as Shopify would (ADR 012).
    const liquid = await fetch(
      `${storefront}/apps/affinity/recommendations?context=home&limit=4&format=liquid&visitor=${visitor}`,
      { headers: { cookie } },
    );
    const rendered = (await liquid.json()) as { currency: string; products: Array<{ id: string; url: string }> };
    expect(rendered.currency).toBe("GBP");
    expect(rendered.products.length).toBeGreaterThan(0);
    expect(rendered.products.every((p) => p.url.startsWith("/products/"))).toBe(true);

    const { code } = await demo.stop("SIGINT");
    expect(code).toBe(0);
    // Nothing new was simulated on the second run (the preview's own exposure aside).
    expect(await db.event.count()).toBeLessThanOrEqual(eventsBefore + 1);
    expect(readdirSync(path.join(dir, "pids"))).toEqual([]);
  }, 180_000);
});
