import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { alive } from "../helpers/child-process";
import { WATCH_PARENT } from "../helpers/stack";

async function until(condition: () => boolean, what: string, limitMs = 30_000) {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// The grandchild stands in for a test's app server: it serves forever, with a SIGTERM handler
// that logs and exits, as server.ts's does. Its parent stands in for a vitest fork that dies.
const SERVER = `process.on("SIGTERM", () => { console.error("stopping"); process.exit(0); }); setInterval(() => {}, 1000);`;
const PARENT = `
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, ${JSON.stringify(["--import", "tsx", ...WATCH_PARENT, "-e", SERVER])}, { stdio: "inherit" });
console.log("pid " + child.pid);
setInterval(() => {}, 1000);
`;

describe("parent-watch preload", () => {
  it("stops a test's server once the process that started it is gone", async () => {
    const parent = spawn(process.execPath, ["-e", PARENT], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    parent.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    parent.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    let pid = 0;
    try {
      await until(() => /pid (\d+)/.test(out), "the server's pid");
      pid = Number(/pid (\d+)/.exec(out)?.[1]);
      // Alive across several of the preload's checks while its parent lives.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(alive(pid)).toBe(true);
      parent.kill("SIGKILL");
      await until(() => !alive(pid), "the orphaned server to stop");
    } finally {
      parent.kill("SIGKILL");
      if (pid && alive(pid)) process.kill(pid, "SIGKILL");
    }
  });
});
