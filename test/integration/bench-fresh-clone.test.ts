import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_ENV } from "../helpers/test-env";

const root = process.cwd();
const git = (args: string[], cwd = root) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

/**
 * A new user's shell: this machine's environment without what the test run adds (NODE_ENV=test,
 * the test credentials and URLs, vitest's own), plus `extra`.
 */
function userShell(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (name in TEST_ENV || name.startsWith("VITEST") || name === "TEST") delete env[name];
  return { ...env, ...extra };
}

/** Runs a command to its end; resolves with its exit code and everything it printed. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run bench on a fresh clone, after npm ci and nothing else", () => {
  // Under var/ (ignored by git), on the same filesystem as node_modules, so hard links work.
  mkdirSync(path.join(root, "var"), { recursive: true });
  const dir = mkdtempSync(path.join(root, "var", "fresh-clone-"));
  const clone = path.join(dir, "affinity");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("generates the Prisma clients, builds the app, names its load generator and runs `intake --quick`", async () => {
    // The committed tree at this checkout's HEAD: no build/, no generated clients, no var/.
    git(["clone", "--quiet", "--no-checkout", root, clone]);
    git(["checkout", "--quiet", git(["rev-parse", "HEAD"])], clone);
    expect(existsSync(path.join(clone, "build"))).toBe(false);
    // What `npm ci` leaves, without downloading it again: this checkout's packages, hard-linked
    // (cheap, read-only use), less the Prisma client generated into them, which a fresh install lacks.
    execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(clone, "node_modules")]);
    rmSync(path.join(clone, "node_modules/.prisma"), { recursive: true, force: true });

    const { code, stdout, stderr } = await run(
      "npm",
      ["run", "bench", "--", "intake", "--quick"],
      clone,
      // The test run's Redis; the bench keeps its keys under a prefix of its own.
      userShell({ REDIS_URL: TEST_ENV.REDIS_URL! }),
    );
    const output = `${stdout}\n${stderr}`;
    expect(code, output.slice(-3000)).toBe(0);
    expect(stderr).toContain("bench: prisma generate --schema prisma/schema.prisma…");
    expect(stderr).toContain("bench: npm run build…");
    expect(stderr).toMatch(/bench: load generator: (wrk|node:http.*apt-get install wrk)/);
    expect(stdout).toContain("intake.throughput");
    expect(stdout).toContain("intake.drain_jobs_per_s");
    expect(existsSync(path.join(clone, "build/server/index.js"))).toBe(true);
  }, 300_000);
});
