/**
 * `npm run jobs:failed [-- <queue>] [-- --retry]`: the operator's view of failed jobs, through
 * BullMQ's own API. Lists each queue's failed jobs (newest first, 20 at most: id, name, attempts,
 * when, why); with a queue and --retry, moves that queue's failed jobs back to waiting
 * (BullMQ's Queue.retryJobs), where a worker runs them again. Reads REDIS_URL and QUEUE_PREFIX
 * from the environment or .env, like the app.
 */
import { existsSync } from "node:fs";
import { Queue } from "bullmq";
import { QUEUE_NAMES } from "../app/lib/jobs/queues";
import { createRedis, redactUrl } from "../app/lib/redis.server";

const SHOWN = 20;
const names: readonly string[] = Object.values(QUEUE_NAMES);

function usage(problem: string): never {
  console.error(`${problem}\nusage: npm run jobs:failed [-- <queue>] [-- --retry]   (queues: ${names.join(", ")})`);
  process.exit(2);
}

async function main() {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const args = process.argv.slice(2);
  const retry = args.includes("--retry");
  const asked = args.filter((a) => !a.startsWith("--"));
  const unknown = asked.filter((a) => !names.includes(a));
  if (unknown.length > 0) usage(`unknown queue: ${unknown.join(", ")}`);
  if (retry && asked.length !== 1)
    usage("--retry needs exactly one queue, so a whole system is never retried by accident");
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = process.env.QUEUE_PREFIX ?? "{affinity}";
  const connection = createRedis(url, "worker");
  try {
    for (const name of asked.length > 0 ? asked : names) {
      const queue = new Queue(name, { connection, prefix });
      const count = await queue.getFailedCount();
      if (retry) {
        await queue.retryJobs({ state: "failed" });
        console.log(`${name}: ${count} failed job(s) moved back to waiting`);
      } else {
        console.log(`${name}: ${count} failed`);
        for (const job of await queue.getFailed(0, SHOWN - 1)) {
          const when = job.finishedOn ? new Date(job.finishedOn).toISOString() : "?";
          const reason = (job.failedReason ?? "").split("\n")[0]!.slice(0, 160);
          console.log(`  ${job.id}  ${job.name}  attempts ${job.attemptsMade}  ${when}  ${reason}`);
        }
        if (count > SHOWN) console.log(`  … and ${count - SHOWN} more`);
      }
      await queue.close();
    }
  } catch (error) {
    console.error(`Cannot read the queues at ${redactUrl(url)} (prefix ${prefix}): ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    connection.disconnect();
  }
}

void main();
