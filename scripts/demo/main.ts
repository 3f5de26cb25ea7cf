/**
 * `npm run demo`: Affinity end to end on this machine, with no Shopify store. Starts what it
 * needs (database, build, Redis, app, worker), replays a real shop's history as signed
 * webhooks, trains the shop's model, opens a local admin preview and prints a summary.
 * `--exit` stops everything after the summary; otherwise Ctrl-C does. See `--help`.
 */
import path from "node:path";
import { parseDemoArgs, USAGE } from "./args";
import { demoPaths } from "./config";
import { closeClients, closeStorefront, type DemoState } from "./demo-state";
import { describeFailure } from "./errors";
import { killAllChildren, onUnexpectedExit, stopAllChildren } from "./processes";
import { silenceProgress } from "./progress";
import { runDemoSteps, STEP_COUNT } from "./run-demo";
import { StepFailedError, StepRunner } from "./steps";
import { countShop, formatSummary } from "./summary";

const root = path.resolve(import.meta.dirname, "../..");

const args = (() => {
  try {
    return parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${describeFailure(error)}\n`);
    return process.exit(2);
  }
})();
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const state: DemoState = { args, paths: demoPaths(root, args.dir), services: [] };
const steps = new StepRunner(STEP_COUNT);
let stopping: Promise<void> | undefined;
let completed = false;

/** Stops everything the demo started, once, however many times it is asked. */
function shutdown(): Promise<void> {
  stopping ??= (async () => {
    steps.markStopping();
    silenceProgress();
    await closeStorefront(state);
    await closeClients(state);
    await stopAllChildren();
  })();
  return stopping;
}

// Output piped into something that stops reading (`| head`) must not kill the demo and orphan
// its children: the demo carries on without a screen.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);

// A bug in the demo itself still stops what it started.
process.on("uncaughtException", (error) => {
  process.stderr.write(`\n${describeFailure(error)}\n`);
  void shutdown().then(() => process.exit(1));
});

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (stopping) {
      process.stdout.write("\nKilling everything the demo started.\n");
      killAllChildren();
      process.exit(130);
    }
    process.stdout.write("\nStopping everything the demo started (Ctrl-C again to kill it at once)…\n");
    void shutdown().then(() => {
      process.stdout.write("Stopped.\n");
      process.exit(completed && !steps.failed ? 0 : 130);
    });
  });
}

// The app, the worker, Redis or the preview dying mid-demo ends it at once, saying which and where to look.
onUnexpectedExit((child, code) => {
  if (stopping) return;
  silenceProgress();
  const how = code === null ? "killed by a signal" : `exit code ${code}`;
  process.stdout.write(`\nThe ${child.name} stopped unexpectedly (${how}); its log: ${child.logFile}\n`);
  void shutdown().then(() => process.exit(1));
});

process.stdout.write("Affinity demo: a real shop's order history, replayed into the app on this machine.\n");
try {
  await runDemoSteps(state, steps);
} catch (error) {
  // A StepFailedError has been reported by its step; anything else is a bug in the demo itself.
  if (!(error instanceof StepFailedError) && !stopping) process.stdout.write(`\n${describeFailure(error)}\n`);
}
if (!stopping) await finish();

async function finish(): Promise<void> {
  const counts = await countShop(state).catch(() => null);
  process.stdout.write(formatSummary(state, steps.records, counts));
  completed = steps.records.length === STEP_COUNT;
  const failed = steps.failed || !completed;
  if (args.exit || failed) {
    await shutdown();
    process.exit(failed ? 1 : 0);
  }
  process.stdout.write("\nEverything is running. Press Ctrl-C to stop it all.\n");
}
