import type { Job, JobType, Queue } from "bullmq";
import type { QueueSnapshot, ReportedState } from "./definitions.server";

/** BullMQ's own states behind each reported one: a prioritized job is waiting too. */
const SOURCES: Record<ReportedState, JobType[]> = {
  waiting: ["wait", "prioritized", "waiting-children"],
  active: ["active"],
  delayed: ["delayed"],
  failed: ["failed"],
};

/**
 * How long the head job of a state has been there: a waiting or delayed job since it was
 * queued, an active one since it started, a failed one since it failed.
 */
function ageOf(job: Job | undefined, state: ReportedState, now: number): number {
  if (!job) return 0;
  const since =
    state === "active" ? job.processedOn : state === "failed" ? (job.finishedOn ?? job.timestamp) : job.timestamp;
  return Math.max(0, (now - (since ?? job.timestamp)) / 1000);
}

/**
 * Reads every queue's counts (BullMQ's getJobCounts) and each state's head job, for the queue
 * gauges. Runs when /metrics is scraped, never per job: a handful of Redis reads per queue.
 */
export function createQueueReader(queues: Queue[], now: () => number = Date.now): () => Promise<QueueSnapshot> {
  return async () => {
    const rows = await Promise.all(
      queues.map(async (queue) => {
        const counts = await queue.getJobCounts(...Object.values(SOURCES).flat());
        return Promise.all(
          (Object.keys(SOURCES) as ReportedState[]).map(async (state) => {
            const types = SOURCES[state];
            const jobs = types.reduce((sum, type) => sum + (counts[type] ?? 0), 0);
            const heads = jobs === 0 ? [] : await Promise.all(types.map((type) => queue.getJobs([type], 0, 0, true)));
            const oldestAgeSeconds = Math.max(0, ...heads.map(([job]) => ageOf(job, state, now())));
            return { queue: queue.name, state, jobs, oldestAgeSeconds };
          }),
        );
      }),
    );
    return rows.flat();
  };
}
