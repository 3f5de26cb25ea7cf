import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { commandInstalled, pingRedis, REDIS_INSTALL } from "../../../scripts/local-redis";
import { SetupProblem, type Problem } from "./problem";
import { isLocalHost, type Provided } from "./provided";

const NOT_INSTALLED = (url: string): Problem => ({
  part: "Redis",
  detail: `nothing answers at ${url} and redis-server is not installed`,
  fix: `${REDIS_INSTALL.debian} (macOS: ${REDIS_INSTALL.macos}), or set TEST_REDIS_URL to a running Redis`,
});

/** What is wrong with Redis before anything is started, or null when the run can have one. */
export async function checkRedis(url: string): Promise<Problem | null> {
  const answer = await pingRedis(url);
  if (answer === "PONG") return null;
  if (answer === "NOAUTH")
    return {
      part: "Redis",
      detail: `the Redis at ${url} wants a password`,
      fix: "set TEST_REDIS_URL=redis://:<password>@host:port",
    };
  if (!isLocalHost(url))
    return { part: "Redis", detail: `nothing answers at ${url}`, fix: "start it, or set TEST_REDIS_URL" };
  return commandInstalled("redis-server") ? null : NOT_INSTALLED(url);
}

/**
 * The Redis at `url`, or a redis-server started on its port for this run (no persistence: the
 * tests' keys are thrown away), as the demo starts one when none answers.
 */
export async function provideRedis(url: string): Promise<Provided> {
  const problem = await checkRedis(url);
  if (problem) throw new SetupProblem(problem);
  if ((await pingRedis(url)) === "PONG") return { description: `Redis at ${url}`, stop: async () => {} };
  const port = new URL(url).port || "6379";
  const dir = mkdtempSync(path.join(tmpdir(), "affinity-test-redis-"));
  const child = spawn(
    "redis-server",
    [
      "--port",
      port,
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--maxmemory-policy",
      "noeviction",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) resolve();
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.once("exit", () => {
      const reason = output.trim().split("\n").pop() ?? "it exited";
      reject(
        new SetupProblem({
          part: "Redis",
          detail: `redis-server did not start on port ${port}: ${reason}`,
          fix: "free the port, or set TEST_REDIS_URL",
        }),
      );
    });
  });
  return {
    description: `Redis started for this run on 127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
