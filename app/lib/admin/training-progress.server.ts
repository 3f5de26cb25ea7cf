import type { Queue } from "bullmq";
import { PENDING_STATES } from "../jobs/queues";
import { z } from "zod";
import { requestTraining, trainJobId } from "../training/train-queue.server";

/** Where a shop's training stands, for the model page's live progress bar. */
export interface TrainingProgress {
  /** idle: nothing queued or running; queued: waiting for a worker; running: a worker has it. */
  state: "idle" | "queued" | "running";
  jobId: string | null;
  /** preparing: loading orders, baselines and features, before the first epoch ends. */
  stage: "preparing" | "training" | "finishing" | null;
  epoch: number | null;
  epochs: number | null;
  etaSeconds: number | null;
  /** 0–100 for the bar; null while no epoch has finished. */
  percent: number | null;
}

// What the train processor reports through job.updateProgress (EpochProgress + stage).
const reported = z.object({
  epoch: z.number().int().min(1),
  epochs: z.number().int().min(1),
  etaSeconds: z.number().min(0),
});

const IDLE: TrainingProgress = {
  state: "idle",
  jobId: null,
  stage: null,
  epoch: null,
  epochs: null,
  etaSeconds: null,
  percent: null,
};

/** The shop's training job, from its two fixed job ids (train-queue.server.ts); two reads. */
export async function trainingProgress(queue: Queue, shop: string): Promise<TrainingProgress> {
  const jobs = await Promise.all((["a", "b"] as const).map((slot) => queue.getJob(trainJobId(shop, slot))));
  const states = await Promise.all(jobs.map((job) => job?.getState() ?? "missing"));
  const running = jobs.find((_, i) => states[i] === "active");
  if (running) return fromProgress(running.id ?? null, running.progress);
  const queued = jobs.find((_, i) => PENDING_STATES.has(String(states[i])));
  if (queued) return { ...IDLE, state: "queued", jobId: queued.id ?? null };
  return IDLE;
}

function fromProgress(jobId: string | null, progress: unknown): TrainingProgress {
  const parsed = reported.safeParse(progress);
  if (!parsed.success) return { ...IDLE, state: "running", jobId, stage: "preparing", percent: 0 };
  const { epoch, epochs, etaSeconds } = parsed.data;
  // The served model takes one more pass over all orders after the evaluated epochs, so the
  // last report can exceed the announced total: that is the final pass, not 110%.
  const finishing = epoch >= epochs;
  return {
    state: "running",
    jobId,
    stage: finishing ? "finishing" : "training",
    epoch: Math.min(epoch, epochs),
    epochs,
    etaSeconds: finishing ? null : Math.round(etaSeconds),
    percent: finishing ? 99 : Math.round((epoch / epochs) * 100),
  };
}

/** "Retrain now": joins a waiting request or queues one; a running training is not restarted. */
export async function requestRetrain(queue: Queue, shop: string): Promise<TrainingProgress> {
  await requestTraining(queue, shop, "manual");
  return trainingProgress(queue, shop);
}
