/**
 * Preloaded into the app and worker processes that tests start. When the test process dies
 * without stopping them (a crash, a killed vitest fork), they are re-parented and would serve
 * on for as long as the machine runs, holding ports, Redis prefixes and a core. Each checks its
 * parent every second and stops itself the way an operator would (SIGTERM, then its own
 * shutdown path); a cluster's forked processes inherit the preload and follow their primary.
 */
const parentPid = process.ppid;
const FORCE_AFTER_MS = 20_000;

setInterval(() => {
  if (process.ppid === parentPid) return;
  process.kill(process.pid, "SIGTERM");
  setTimeout(() => process.exit(1), FORCE_AFTER_MS).unref();
}, 1_000).unref();
export {};
