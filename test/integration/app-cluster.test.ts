import { execFileSync } from "node:child_process";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { appProxyUrl } from "../helpers/app-proxy";
import { alive, type Spawned } from "../helpers/child-process";
import { eventually, spawnAppProcess, startAppProcess } from "../helpers/stack";
import { catalogProduct, seedServedShop } from "../helpers/storefront-seed";
import { createSqliteTestDb } from "../helpers/test-db";
import { createTestPrefix } from "../helpers/test-redis";

const SHOP = "cluster-shop.myshopify.com";

/** One GET on a connection of its own, so the cluster's primary hands each to the next process. */
function getOnNewConnection(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

const pidsIn = (output: string, event: string) =>
  new Set(
    output
      .split("\n")
      .filter((line) => line.includes(`"event":"${event}"`))
      .map((line) => (JSON.parse(line) as { pid: number }).pid),
  );

describe("the app server as several processes on one port (WEB_CONCURRENCY)", () => {
  const { prefix, cleanup } = createTestPrefix();
  const redis = new Redis(process.env.REDIS_URL!);
  const testDb = createSqliteTestDb();
  let app: Spawned;
  let origin: string;
  const listening = () => app.stdout().match(/Affinity app listening on/g)?.length ?? 0;
  const env = () => ({ DATABASE_URL: testDb.url, QUEUE_PREFIX: prefix, WEB_CONCURRENCY: "2", LOG_LEVEL: "info" });

  beforeAll(async () => {
    await seedServedShop(testDb.db, redis, prefix, SHOP, {
      products: ["1", "2", "3", "4"].map((id) => catalogProduct(id)),
      lists: { popular: ["3", "1", "4", "2"] },
    });
    ({ app, origin } = await startAppProcess(env()));
    await eventually(async () => listening() === 2, "both processes listening");
  });

  afterAll(async () => {
    await app?.stop("SIGKILL");
    redis.disconnect();
    await cleanup();
    await testDb.drop();
  });

  it("answers from both processes, each the same way", async () => {
    const signed = appProxyUrl(
      origin,
      "recommendations",
      { context: "home", limit: "4" },
      { shop: SHOP, loggedInCustomerId: "" },
    );
    const answers = await Promise.all(Array.from({ length: 6 }, () => getOnNewConnection(signed)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect((JSON.parse(answer.body) as { products: { id: string }[] }).products.map((p) => p.id)).toEqual([
        "3",
        "1",
        "4",
        "2",
      ]);
    }
    // Refusals are logged with the answering process's pid: both took requests.
    const unsigned = `${origin}/apps/affinity/recommendations?shop=${SHOP}`;
    for (let i = 0; i < 6; i++) expect((await getOnNewConnection(unsigned)).status).toBe(400);
    await eventually(async () => pidsIn(app.stdout(), "recommendations.refused").size === 2, "refusals logged");
    const pids = pidsIn(app.stdout(), "recommendations.refused");
    expect(pids.size).toBe(2);
    expect(pids.has(app.child.pid!)).toBe(false);
  });

  it("replaces a process that dies, and a stopped primary takes its processes with it", async () => {
    const [victim] = pidsIn(app.stdout(), "recommendations.refused");
    process.kill(victim!, "SIGKILL");
    await app.waitFor(/"event":"app.process_restarted"/);
    await eventually(async () => listening() === 3, "the replacement listening");
    const signed = appProxyUrl(origin, "recommendations", { context: "home" }, { shop: SHOP, loggedInCustomerId: "" });
    for (let i = 0; i < 4; i++) expect((await getOnNewConnection(signed)).status).toBe(200);

    const serving = pidsIn(app.stdout(), "recommendations.refused");
    expect(await app.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    for (const pid of serving) expect(alive(pid)).toBe(false);
  });

  it("leaves no process behind when the primary is killed outright", async () => {
    const { app: doomed } = await startAppProcess(env());
    await eventually(async () => (doomed.stdout().match(/Affinity app listening on/g)?.length ?? 0) === 2, "listening");
    const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(doomed.child.pid)], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.trim())
      .map(Number);
    expect(children).toHaveLength(2);
    await doomed.stop("SIGKILL");
    await eventually(async () => children.every((pid) => !alive(pid)), "the orphaned processes exit");
  });

  it("stops at once when its processes cannot start, rather than restarting them in a loop", async () => {
    // Both processes find the port taken and exit at start-up. What holds the port does not
    // matter to the cluster, so a plain listener takes it, bound as server.ts binds (no host),
    // rather than a whole app process started for the purpose.
    const taker = http.createServer();
    await new Promise<void>((resolve) => taker.listen(0, resolve));
    try {
      const address = taker.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const second = spawnAppProcess({ ...env(), PORT: String(port) });
      expect((await second.exited).code).toBe(1);
      expect(second.stdout()).toContain('"event":"app.process_failed_to_start"');
    } finally {
      await new Promise((resolve) => taker.close(resolve));
    }
  });
});
