import os from "node:os";
import type { Job } from "bullmq";

const startedAt = new Date().toISOString();

export interface PingResult {
  pong: true;
  pid: number;
  host: string;
  startedAt: string;
  receivedAt: string;
}

/** Answers a health-check job: proves end to end that a worker takes jobs off the queue. */
export async function processSystemJob(job: Job): Promise<PingResult> {
  if (job.name !== "ping") throw new Error(`system queue: unknown job "${job.name}"`);
  return { pong: true, pid: process.pid, host: os.hostname(), startedAt, receivedAt: new Date().toISOString() };
}
