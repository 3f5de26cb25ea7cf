import { describe, expect, it } from "vitest";
import { alive, spawnProcess } from "../helpers/child-process";
import { untilStarted } from "../helpers/stack";

// Stands in for an app or worker that never prints its start-up line (stuck connecting, say).
const SILENT = `setInterval(() => {}, 1000);`;
// The same, deaf to SIGTERM, as a process blocked in a synchronous start-up would be.
const DEAF = `process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);`;

describe("starting a test's child process", () => {
  it("stops a child that does not come up in time, and reports the timeout", async () => {
    const child = spawnProcess(process.execPath, ["-e", SILENT], {});
    await expect(untilStarted(child, /listening/, { startMs: 300 })).rejects.toThrow(/timed out waiting for/);
    expect(await child.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(alive(child.child.pid!)).toBe(false);
  });

  it("kills a child that ignores SIGTERM once the grace period is over", async () => {
    const child = spawnProcess(process.execPath, ["-e", DEAF], {});
    await expect(untilStarted(child, /listening/, { startMs: 300, graceMs: 300 })).rejects.toThrow(/timed out/);
    expect(await child.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(alive(child.child.pid!)).toBe(false);
  });

  it("hands back a child that comes up, still running", async () => {
    const child = spawnProcess(process.execPath, ["-e", `console.log("listening"); ${SILENT}`], {});
    try {
      await untilStarted(child, /listening/, { startMs: 10_000 });
      expect(alive(child.child.pid!)).toBe(true);
    } finally {
      await child.stop();
    }
  });
});
