/**
 * `npm run redis:cluster -- start|stop|status [--port 7100] [--dir var/redis-cluster]`: a local
 * 3-master Redis Cluster on loopback, for the cluster integration test and for trying Affinity
 * against a cluster. Each node keeps AOF (everysec) and noeviction, as production should.
 * Prints the REDIS_URL to use: redis+cluster://127.0.0.1:<port>,…
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

const MASTERS = 3;

export interface ClusterOptions {
  basePort: number;
  dir: string;
}

export const clusterUrl = ({ basePort }: ClusterOptions) =>
  `redis+cluster://${ports(basePort)
    .map((p) => `127.0.0.1:${p}`)
    .join(",")}`;

const ports = (base: number) => Array.from({ length: MASTERS }, (_, i) => base + i);

/** Redis Cluster listens on each node's port and on that port + 10,000 (the cluster bus). */
const BUS_OFFSET = 10_000;

/**
 * A base port whose three node ports and three bus ports are all free, drawn from 12,000–21,999 so
 * that the bus ports (22,000–31,999) stay below Linux's ephemeral range (32,768 up): a bus port in
 * that range can be taken by any outgoing connection, which is how a node once failed to start.
 */
export async function freeClusterBasePort(attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const base = 12_000 + Math.floor(Math.random() * 10_000);
    const wanted = ports(base).flatMap((p) => [p, p + BUS_OFFSET]);
    if ((await Promise.all(wanted.map(portIsFree))).every(Boolean)) return base;
  }
  throw new Error(`Redis Cluster: no free base port found in ${attempts} tries`);
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

const cli = (port: number, ...args: string[]) =>
  spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8" });

/** Starts the nodes (fresh data) and joins them into one cluster; waits until it reports ok. */
export function startCluster(options: ClusterOptions): string {
  for (const port of ports(options.basePort)) {
    const dir = path.resolve(options.dir, String(port));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--daemonize",
      "yes",
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      "nodes.conf",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
      "--save",
      "",
      "--maxmemory-policy",
      "noeviction",
      "--logfile",
      path.join(dir, "redis.log"),
    ]);
  }
  for (const port of ports(options.basePort)) {
    const log = path.resolve(options.dir, String(port), "redis.log");
    waitFor(
      () => cli(port, "ping").stdout.trim() === "PONG",
      `node ${port}`,
      () => logTail(log),
    );
  }
  const nodes = ports(options.basePort).map((p) => `127.0.0.1:${p}`);
  execFileSync("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"], {
    stdio: "ignore",
  });
  waitFor(() => cli(options.basePort, "cluster", "info").stdout.includes("cluster_state:ok"), "cluster_state:ok");
  return clusterUrl(options);
}

export function stopCluster(options: ClusterOptions): void {
  for (const port of ports(options.basePort)) cli(port, "shutdown", "nosave");
}

/** The end of a node's log, so that a node that did not start says why in the error. */
const logTail = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").slice(-5).join("\n") : "(no log written)";

function waitFor(check: () => boolean, what: string, detail: () => string = () => "", timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Redis Cluster: timed out waiting for ${what}\n${detail()}`.trim());
    spawnSync("sleep", ["0.1"]);
  }
}

function main() {
  const [command = "status"] = process.argv.slice(2);
  const flag = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1]! : fallback;
  };
  const options = { basePort: Number(flag("port", "7100")), dir: flag("dir", "var/redis-cluster") };
  if (command === "start") console.log(startCluster(options));
  else if (command === "stop") stopCluster(options);
  else console.log(cli(options.basePort, "cluster", "info").stdout || "not running");
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) main();
