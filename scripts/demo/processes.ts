import { spawn } from "node:child_process";
import { closeSync, fstatSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
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

type ExitListener = (child: DemoChild, code: number | null) => void;
const unexpectedExitListeners: ExitListener[] = [];

/** Calls `listener` when a child that was ready exits without having been asked to stop. */
export function onUnexpectedExit(listener: ExitListener): void {
  unexpectedExitListeners.push(listener);
}

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

  let expected = false;
  const handle: DemoChild = {
    name: options.name,
    pid,
    logFile,
    exited,
    stop: () => {
      expected = true;
      return stopGroup(pid, exited, options.stopTimeoutMs ?? 15_000);
    },
  };
  // Registered before it is ready, so a Ctrl-C while it starts stops it too.
  running.push(handle);
  void exited.then(() => running.splice(running.indexOf(handle), 1));
  await waitForLine(handle, startOffset, options.ready, options.readyTimeoutMs ?? 60_000);
  void exited.then((code) => {
    if (!expected) for (const listener of unexpectedExitListeners) listener(handle, code);
  });
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

/** SIGTERM to the leader, a wait for it to exit, then SIGKILL to whatever is left of its group. */
export async function stopGroup(pid: number, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
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
