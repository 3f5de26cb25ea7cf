import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { demoPaths, type DemoPaths } from "../../scripts/demo/config";
import { stopLeftovers } from "../../scripts/demo/leftovers";
import { startChild } from "../../scripts/demo/processes";
import { provideRedis } from "../../scripts/demo/redis";
import { prepareWorkspace } from "../../scripts/demo/workspace";
import { alive, freePort } from "../helpers/child-process";

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return !alive(pid);
}

/**
 * A leader that starts a grandchild in its own process group, then exits on SIGTERM without
 * stopping it: what the worker and BullMQ's sandboxed training process look like when the
 * worker dies before its child does.
 */
const LEADER = `
  const { spawn } = require("node:child_process");
  const grandchild = spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: "ignore" });
  console.log("grandchild " + grandchild.pid);
  process.on("SIGTERM", () => process.exit(0));
  setInterval(() => {}, 1000);
`;

describe("the demo's processes", () => {
  let paths: DemoPaths;
  afterEach(() => rmSync(paths.dir, { recursive: true, force: true }));

  const startLeader = () => {
    paths = demoPaths(process.cwd(), mkdtempSync(path.join(tmpdir(), "affinity-demo-")));
    prepareWorkspace(paths);
    return startChild(paths, {
      name: "leader",
      command: process.execPath,
      args: ["-e", LEADER, "demo-processes-test-leader"],
      identity: "demo-processes-test-leader",
      env: {},
      cwd: process.cwd(),
      ready: /grandchild \d+/,
    });
  };
  const grandchildOf = (logFile: string) => Number(/grandchild (\d+)/.exec(readFileSync(logFile, "utf8"))![1]);

  it("given a child whose own child outlives it, stopping the child leaves no orphan", async () => {
    const leader = await startLeader();
    const grandchild = grandchildOf(leader.logFile);
    expect(alive(grandchild)).toBe(true);

    await leader.stop();

    expect(await gone(leader.pid)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
  });

  it("given processes left by a demo that was killed, the next run stops them and says so", async () => {
    const leader = await startLeader();
    const grandchild = grandchildOf(leader.logFile);

    const stopped = await stopLeftovers(paths);

    expect(stopped).toEqual([`stopped leader (pid ${leader.pid}) left running by an earlier demo`]);
    expect(await gone(leader.pid)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
    // A second look finds nothing more to stop.
    expect(await stopLeftovers(paths)).toEqual([]);
  });

  it("given no Redis and no redis-server, says how to install one", async () => {
    paths = demoPaths(process.cwd(), mkdtempSync(path.join(tmpdir(), "affinity-demo-")));
    const nobody = `redis://127.0.0.1:${await freePort()}`;

    await expect(
      provideRedis(paths, { probeUrl: nobody, serverCommand: "affinity-test-no-redis-server" }),
    ).rejects.toThrow(/redis-server is not installed[\s\S]*apt-get install redis-server[\s\S]*brew install redis/);
  });

  it("given no Redis but redis-server installed, starts one with AOF everysec and noeviction in the demo folder", async () => {
    paths = demoPaths(process.cwd(), mkdtempSync(path.join(tmpdir(), "affinity-demo-")));
    prepareWorkspace(paths);
    const nobody = `redis://127.0.0.1:${await freePort()}`;

    const own = await provideRedis(paths, { probeUrl: nobody });
    const redis = new Redis(own.url);
    try {
      expect(own.child).toBeDefined();
      const config = async (key: string) => ((await redis.config("GET", key)) as string[])[1];
      expect(await config("appendonly")).toBe("yes");
      expect(await config("appendfsync")).toBe("everysec");
      expect(await config("maxmemory-policy")).toBe("noeviction");
      expect(await config("dir")).toBe(paths.redisData);
    } finally {
      redis.disconnect();
      await own.child?.stop();
    }
    expect(await gone(own.child!.pid)).toBe(true);
  });
});
