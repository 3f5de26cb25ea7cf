import cluster, { type Worker } from "node:cluster";
import type { Logger } from "../logger.server";

export interface ServerProcessesOptions {
  /** How many processes serve HTTP; 1 serves from this process, with nothing forked. */
  processes: number;
  log: Logger;
  /** How long a stopping primary waits for its processes before it exits anyway. @defaultValue 12000 */
  stopTimeoutMs?: number;
}

/**
 * Runs `serve` in `processes` processes that share one listening port, one per core by default
 * (docs/decisions/009). Node's cluster primary accepts connections and hands them out in turn;
 * everything the app keeps in memory (serving caches, fairness counts) is per process by
 * design. The primary only supervises: it restarts a process that dies after it started
 * listening, stops everything if one dies before (a port in use, a broken build), passes
 * SIGTERM/SIGINT on, and exits when they have stopped. A forked process runs `serve`, and exits
 * when it loses its primary (Node's cluster does that), so a killed primary leaves nothing behind.
 */
export function runServerProcesses(options: ServerProcessesOptions, serve: () => void): void {
  if (options.processes <= 1 || !cluster.isPrimary) return serve();
  superviseProcesses(options);
}

function superviseProcesses({ processes, log, stopTimeoutMs = 12_000 }: ServerProcessesOptions) {
  /** The running processes, by cluster id: whether each got as far as listening. */
  const running = new Map<number, boolean>();
  /** Null while serving; once stopping, the code the primary exits with. */
  let exitCode: number | null = null;
  const fork = () => running.set(cluster.fork().id, false);
  const stopAll = (signal: NodeJS.Signals, code: number) => {
    exitCode = code;
    if (running.size === 0) process.exit(code);
    // Each process stops the way it does on its own: finish in-flight requests, close Redis.
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(code), stopTimeoutMs).unref();
  };

  cluster.on("listening", (worker: Worker) => running.set(worker.id, true));
  cluster.on("exit", (worker: Worker, code: number | null, signal: string | null) => {
    const listened = running.get(worker.id);
    running.delete(worker.id);
    if (exitCode !== null) {
      if (running.size === 0) process.exit(exitCode);
    } else if (!listened) {
      // A port in use or a broken build fails every process the same way: stop, do not loop.
      log.error("app.process_failed_to_start", { pid: worker.process.pid, code, signal });
      stopAll("SIGTERM", 1);
    } else {
      log.warn("app.process_restarted", { pid: worker.process.pid, code, signal });
      fork();
    }
  });

  const stop = (signal: NodeJS.Signals) => {
    if (exitCode !== null) return;
    log.info("app.stopping", { signal, processes: running.size });
    stopAll(signal, 0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  for (let i = 0; i < processes; i++) fork();
}
