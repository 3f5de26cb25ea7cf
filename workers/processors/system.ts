import os from "node:os";
import { UnrecoverableError, type Job } from "bullmq";
import { SCHEDULED_TRAINING_JOB } from "../../app/lib/training/schedule.server";

const startedAt = new Date().toISOString();

export interface PingResult {
  pong: true;
  pid: number;
  host: string;
  startedAt: string;
  receivedAt: string;
}

// Defined beside the scheduler, which the app also uses when a merchant changes the frequency.
export { SCHEDULED_TRAINING_JOB };

/**
 * System jobs: "ping" answers a health check (proves a worker takes jobs off the queue);
 * "request-training" is the tick of a shop's daily training schedule.
 */
export function createSystemProcessor(deps: { requestTraining: (shop: string) => Promise<unknown> }) {
  return async (job: Job): Promise<PingResult | { requested: string }> => {
    if (job.name === SCHEDULED_TRAINING_JOB) {
      const shop = String((job.data as { shop?: unknown }).shop ?? "");
      await deps.requestTraining(shop);
      return { requested: shop };
    }
    if (job.name !== "ping") throw new UnrecoverableError(`system queue: unknown job "${job.name}"`);
    return { pong: true, pid: process.pid, host: os.hostname(), startedAt, receivedAt: new Date().toISOString() };
  };
}
