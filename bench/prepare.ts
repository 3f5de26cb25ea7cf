/**
 * The first step of `npm run bench`: bring the checkout up to date, as the demo does (Prisma
 * clients generated and the app built when build/ is missing or older than its sources;
 * scripts/app-build.ts), then say which load generator the HTTP benchmarks will use. A separate
 * process from bench/run.ts, whose benchmarks load the generated clients and the build.
 */
import { buildIfStale, generateStaleClients, quietRunner, StepFailed, type StepRunner } from "../scripts/app-build";
import { wrkAvailable } from "./load";

async function main() {
  const root = process.cwd();
  const run = quietRunner(root);
  const announced: StepRunner = (what, ...rest) => {
    process.stderr.write(`bench: ${what}…\n`);
    return run(what, ...rest);
  };
  try {
    await generateStaleClients(root, announced);
    if ((await buildIfStale(root, announced)) === "fresh") process.stderr.write("bench: build/ is up to date\n");
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(
    wrkAvailable()
      ? "bench: load generator: wrk\n"
      : "bench: load generator: node:http, a heavier client than wrk that leaves less of the machine to the server. " +
          "Install wrk for lighter load: sudo apt-get install wrk (macOS: brew install wrk)\n",
  );
}

void main();
