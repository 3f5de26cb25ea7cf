import { spawn, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import type { DemoPaths } from "./config";
import { DemoError } from "./errors";

export interface DemoChild {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves when the process has exited, with its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Asks it to stop (SIGTERM), waits, then kills whatever is left of its process group. */
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /**
   * Text its command line contains while it runs (`ps`), e.g. the script's absolute path;
   * redis-server rewrites its own to `redis-server <host>:<port>`.
   */
  identity: string;
  /** A line in its output that means it is ready. */
  ready: RegExp;
  /** @defaultValue 60000 */
  readyTimeoutMs?: number;
  /** How long it may take to stop after SIGTERM. @defaultValue 15000 */
  stopTimeoutMs?: number;
}

/** Every child started and not yet exited, oldest first. */
const running: DemoChild[] = [];

/**
 * Starts a process with its output appended to `<logs>/<name>.log`, in a process group of its
 * own: Ctrl-C reaches only the demo, which then stops its children in order, and a child's own
 * children (BullMQ's sandboxed training process) can be found and stopped with it.
 */
export async function startChild(paths: DemoPaths, options: StartOptions): Promise<DemoChild> {
  const logFile = path.join(paths.logs, `${options.name}.log`);
  const out = openSync(logFile, "a");
  // Logs are appended across runs; readiness is looked for in what this run writes.
  const startOffset = fstatSync(out).size;
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", out, out],
    detached: true,
  });
  closeSync(out);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const pid = child.pid;
  if (pid === undefined) throw new DemoError(`Could not start ${options.name}: ${(await spawnError).message}`);
  const pidFile = path.join(paths.pids, `${options.name}.pid`);
  writeFileSync(pidFile, JSON.stringify({ pid, identity: options.identity }));
  void exited.then(() => rmSync(pidFile, { force: true }));

  const handle: DemoChild = {
    name: options.name,
    pid,
    logFile,
    exited,
    stop: () => stopGroup(pid, exited, options.stopTimeoutMs ?? 15_000),
  };
  // Registered before it is ready, so a Ctrl-C while it starts stops it too.
  running.push(handle);
  void exited.then(() => running.splice(running.indexOf(handle), 1));
  await waitForLine(handle, startOffset, options.ready, options.readyTimeoutMs ?? 60_000);
  return handle;
}

/**
 * Stops every child still running, newest first: the admin preview, then the worker (which lets
 * a running training job finish or hands it back) and the app, and Redis last, which they need
 * to shut down cleanly.
 */
export async function stopAllChildren(): Promise<void> {
  for (const child of [...running].reverse()) await child.stop();
}

/** Kills every child at once, for a second Ctrl-C. */
export function killAllChildren(): void {
  for (const child of running) signal(-child.pid, "SIGKILL");
}

/** Polls the log file for `pattern`; fails with the log's tail if the process exits or is too slow. */
async function waitForLine(child: DemoChild, offset: number, pattern: RegExp, timeoutMs: number): Promise<void> {
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = readFrom(child.logFile, offset);
    if (pattern.test(text)) return;
    const problem =
      exitCode !== undefined
        ? `${child.name} exited (code ${exitCode}) before it was ready`
        : Date.now() > deadline
          ? `${child.name} was not ready after ${Math.round(timeoutMs / 1000)} s`
          : null;
    if (problem) {
      if (exitCode === undefined) await child.stop();
      const tail = text.trim().split("\n").slice(-12).join("\n");
      throw new DemoError(`${problem}. The end of ${child.logFile}:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function readFrom(file: string, offset: number): string {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(Math.max(0, fstatSync(fd).size - offset));
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

async function stopGroup(pid: number, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  signal(pid, "SIGTERM");
  const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
  await Promise.race([exited, timer]);
  // Whatever is still in the group now (the leader past its deadline, an orphaned grandchild) is killed.
  signal(-pid, "SIGKILL");
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // ESRCH: already gone.
  }
}

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
