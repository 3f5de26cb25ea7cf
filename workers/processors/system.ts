import os from "node:os";
import { UnrecoverableError, type Job } from "bullmq";

const startedAt = new Date().toISOString();

export interface PingResult {
  pong: true;
  pid: number;
  host: string;
  startedAt: string;
  receivedAt: string;
}

/** The job a shop's daily scheduler emits; it becomes an ordinary training request. */
export const SCHEDULED_TRAINING_JOB = "request-training";

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
