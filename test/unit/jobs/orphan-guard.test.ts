import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createOrphanCheck } from "../../../app/lib/jobs/orphan-guard";

const FIXTURE = fileURLToPath(new URL("../../fixtures/orphan-child.ts", import.meta.url));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(condition: () => boolean, what: string, limitMs = 30_000) {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("createOrphanCheck", () => {
  it("does nothing while the parent is the same process", () => {
    const exits: number[] = [];
    createOrphanCheck(process.ppid, (code) => exits.push(code))();
    expect(exits).toEqual([]);
  });

  it("exits with 1 once the process has another parent", () => {
    const exits: number[] = [];
    createOrphanCheck(process.ppid + 1, (code) => exits.push(code))();
    expect(exits).toEqual([1]);
  });

  it("stops a child whose event loop is blocked when its parent is killed", async () => {
    const parent = spawn(process.execPath, ["--import", "tsx", FIXTURE, "parent"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    parent.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    let childPid = 0;
    try {
      // Several ticks: the check ran between "epochs" and let the child live while its parent did.
      await until(() => (out.match(/tick/g) ?? []).length >= 5, "the child's first ticks");
      childPid = Number(/pid (\d+)/.exec(out)?.[1]);
      expect(alive(childPid)).toBe(true);
      parent.kill("SIGKILL");
      await until(() => !alive(childPid), "the orphaned child to exit");
    } finally {
      parent.kill("SIGKILL");
      if (childPid && alive(childPid)) process.kill(childPid, "SIGKILL");
    }
  });
});
