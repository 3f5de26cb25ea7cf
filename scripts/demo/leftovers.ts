import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { DemoPaths } from "./config";
import { stopGroup } from "./processes";

/**
 * Stops processes an earlier demo run started and never stopped (it was killed, or the terminal
 * closed). Only a recorded pid whose command line still contains the recorded identity is touched.
 * Returns a sentence per process stopped.
 */
export async function stopLeftovers(paths: DemoPaths): Promise<string[]> {
  if (!existsSync(paths.pids)) return [];
  const stopped: string[] = [];
  for (const file of readdirSync(paths.pids).filter((f) => f.endsWith(".pid"))) {
    const recordPath = path.join(paths.pids, file);
    const record = readRecord(recordPath);
    if (record && runningCommand(record.pid)?.includes(record.identity)) {
      await stopGroup(record.pid, waitUntilGone(record.pid, 15_000), 15_000);
      stopped.push(`stopped ${file.replace(/\.pid$/, "")} (pid ${record.pid}) left running by an earlier demo`);
    }
    rmSync(recordPath, { force: true });
  }
  return stopped;
}

function readRecord(file: string): { pid: number; identity: string } | null {
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as { pid?: unknown; identity?: unknown };
    return typeof value.pid === "number" && typeof value.identity === "string" && value.identity !== ""
      ? { pid: value.pid, identity: value.identity }
      : null;
  } catch {
    return null;
  }
}

/** The full command line of a running process, or null (`ps` exists on Linux and macOS alike). */
function runningCommand(pid: number): string | null {
  const result = spawnSync("ps", ["-p", String(pid), "-o", "command="], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
