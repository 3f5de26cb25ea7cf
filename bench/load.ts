/**
 * Load from wrk (Debian's `wrk` package) when it is installed. The load generator shares the
 * 2 cores with the server it measures; wrk's C event loop costs a fraction of what Node's HTTP
 * client does, so more of the machine goes to the code under test. Without wrk the benchmarks
 * fall back to node:http and say so in their notes.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createGetter, createPoster, percentile, runConcurrent } from "./lib";

export interface LoadRun {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

export type LoadRequest =
  { method: "GET"; path: string } | { method: "POST"; path: string; body: string; headers: Record<string, string> };

let available: boolean | undefined;
export function wrkAvailable(): boolean {
  if (available === undefined) {
    try {
      execFileSync("wrk", ["--version"], { stdio: "ignore" });
      available = true;
    } catch (error) {
      // wrk prints its version and exits 1; only a missing binary throws ENOENT.
      available = (error as NodeJS.ErrnoException).code !== "ENOENT";
    }
  }
  return available;
}

/**
 * Runs wrk with `connections` in flight for `seconds`, cycling through `requests`. A "{n}" in a
 * header value is replaced by a per-request counter (unique webhook ids).
 */
async function runWrk(origin: string, requests: LoadRequest[], connections: number, seconds: number) {
  const dir = mkdtempSync(path.join(tmpdir(), "affinity-wrk-"));
  try {
    const bodies = new Map<string, string>();
    const lines = requests.map((r) => {
      if (r.method === "GET") return `GET ${r.path}`;
      let file = bodies.get(r.body);
      if (!file) {
        file = path.join(dir, `body-${bodies.size}`);
        writeFileSync(file, r.body);
        bodies.set(r.body, file);
      }
      const headers = Object.entries(r.headers).map(([name, value]) => `${name}: ${value}`);
      return `POST ${r.path} ${file} ${headers.join("|")}`;
    });
    const list = path.join(dir, "requests.txt");
    writeFileSync(list, lines.join("\n") + "\n");
    const script = path.join(import.meta.dirname, "wrk", "paths.lua");
    const args = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, origin, "--", list];
    const out = await run("wrk", args);
    const match = /WRK_RESULT (\{.*\})/.exec(out);
    if (!match) throw new Error(`wrk printed no result:\n${out}`);
    const r = JSON.parse(match[1]!) as Record<string, number>;
    return {
      requests: r.requests!,
      seconds: r.micros! / 1e6,
      p50Ms: r.p50us! / 1000,
      p99Ms: r.p99us! / 1000,
      failures: r.socketErrors! + r.non2xx!,
    } satisfies LoadRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited ${code}:\n${out}`))));
  });
}

/** What a measurement used, for the benchmark's note. */
export const loadGenerator = () => (wrkAvailable() ? "wrk" : "node:http (install wrk for a lighter client)");

/**
 * Sends `requests` (cycled) to the server with `inFlight` at once: with wrk for `seconds`, or
 * else with node:http, once through the list. Every answer must be 2xx, or it throws.
 */
export async function measureLoad(
  origin: string,
  requests: LoadRequest[],
  inFlight: number,
  seconds: number,
): Promise<LoadRun> {
  const run = wrkAvailable()
    ? await runWrk(origin, requests, inFlight, seconds)
    : await runNode(origin, requests, inFlight);
  if (run.failures > 0) throw new Error(`${run.failures} of ${run.requests} requests failed or were refused`);
  return run;
}

async function runNode(origin: string, requests: LoadRequest[], inFlight: number): Promise<LoadRun> {
  const get = createGetter(origin, inFlight);
  const post = createPoster(origin, inFlight);
  let failures = 0;
  const r = await runConcurrent(requests.length, inFlight, async (i) => {
    const q = requests[i]!;
    const headers = q.method === "POST" ? withCounter(q.headers, i) : {};
    const status = q.method === "GET" ? await get(q.path) : await post(q.path, headers, q.body);
    if (status < 200 || status >= 300) failures++;
  });
  const sorted = r.latenciesMs.sort((a, b) => a - b);
  return {
    requests: requests.length,
    seconds: r.seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    failures,
  };
}

const withCounter = (headers: Record<string, string>, n: number) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.replaceAll("{n}", `node-${n}`)]));
