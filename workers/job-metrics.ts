import type { Job, Worker } from "bullmq";
import { recordJob, recordTraining, zeroJobCounters } from "../app/lib/metrics/definitions.server";
import { QUEUE_NAMES } from "../app/lib/jobs/queues";
import { REFRESH_JOB_NAME, RESTORE_JOB_NAME } from "../app/lib/training/train-queue.server";

/** Seconds a finished attempt took, from BullMQ's own timestamps. */
function attemptSeconds(job: Job): number | null {
  if (!job.processedOn) return null;
  return Math.max(0, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000);
}

/** What the training processor returns beside its outcome (workers/processors/train.ts). */
interface TrainResult {
  status?: "completed" | "failed";
  peakRssBytes?: number;
}

/** The training queue also runs restores and list refreshes: they are jobs, not training runs. */
export const countsAsTraining = (jobName: string) => jobName !== RESTORE_JOB_NAME && jobName !== REFRESH_JOB_NAME;

/**
 * Records each job attempt's duration and result from the worker's own events, once per job and
 * never inside the processor: a job's work is not slowed by its bookkeeping. Training runs are
 * also counted by outcome, with the child process's peak memory.
 */
export function observeJobs(worker: Worker, queue: string): void {
  const training = queue === QUEUE_NAMES.train;
  zeroJobCounters(queue, training);
  worker.on("completed", (job: Job, result: unknown) => {
    const seconds = attemptSeconds(job);
    recordJob(queue, "completed", seconds);
    if (training && countsAsTraining(job.name)) {
      const { status = "completed", peakRssBytes } = (result ?? {}) as TrainResult;
      recordTraining(status, seconds, peakRssBytes ?? null);
    }
  });
  worker.on("failed", (job: Job | undefined) => {
    const seconds = job ? attemptSeconds(job) : null;
    recordJob(queue, "failed", seconds);
    if (training && job && countsAsTraining(job.name)) recordTraining("failed", seconds, null);
  });
}
