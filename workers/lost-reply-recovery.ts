import { Job, Worker, type Processor, type Span, type WorkerOptions } from "bullmq";
import type { Logger } from "../app/lib/logger.server";

/** Active jobs read per round when looking for orphans (one LRANGE and one pipeline of GETs each). */
const ORPHAN_SCAN_CHUNK = 1_000;

/**
 * Moves back to waiting the active jobs locked with `token` that are not in `held`; returns their
 * ids. Such a job was moved to active by a command whose reply was lost when the connection
 * closed (ioredis then sent the command again, which took another job), so nobody runs it; left
 * alone it would wait for its lock to expire and the stalled-job check (docs/decisions/014).
 * `moveToWait` checks the lock against `token`, so a job someone else now holds is left alone.
 */
export async function releaseOrphans(worker: Worker, token: string, held: ReadonlySet<string>): Promise<string[]> {
  const client = await worker.getBackend().client;
  const released: string[] = [];
  for (let start = 0; ; start += ORPHAN_SCAN_CHUNK) {
    const ids = await client.lrange(worker.keys.active!, start, start + ORPHAN_SCAN_CHUNK - 1);
    if (ids.length === 0) break;
    // Sent together, so ioredis writes them as one pipeline.
    const owners = await Promise.all(ids.map((id) => client.get(`${worker.toKey(id)}:lock`)));
    for (const [i, id] of ids.entries()) {
      if (owners[i] !== token || held.has(id)) continue;
      const job = await Job.fromId(worker, id);
      if (!job) continue;
      await job.moveToWait(token);
      released.push(id);
    }
    if (ids.length < ORPHAN_SCAN_CHUNK) break;
  }
  return released;
}

/** Counts the closes of a worker's main connection, the one its job-moving commands go through. */
export function countCloses(worker: Worker): () => number {
  let closes = 0;
  void worker.getBackend().client.then(
    (client) => client.on("close", () => void closes++),
    () => undefined,
  );
  return () => closes;
}

/**
 * A BullMQ Worker that gives back the jobs its own fetches lost. BullMQ moves a job to active,
 * locked with the fetching token, in `moveToActive` and in the settle-and-fetch-next of
 * `handleCompleted` / `handleFailed`. If the connection closes while one of these is in flight,
 * the reply can be lost and ioredis's resend takes (or fails on) something else. So when a close
 * happened during such a call, once it settles the worker looks for active jobs locked with that
 * token that it does not hold and moves them back to waiting. Tokens are one per main-loop slot,
 * so no other slot's job can match; the scan costs nothing unless the connection closed.
 */
export class RecoveringWorker extends Worker {
  private readonly closes: () => number;

  constructor(
    name: string,
    processor: Processor | string | null,
    opts: WorkerOptions,
    private readonly log: Logger,
  ) {
    super(name, processor, opts);
    this.closes = countCloses(this);
  }

  protected override moveToActive(token: string, name?: string): Promise<Job> {
    return this.recovering(token, () => super.moveToActive(token, name));
  }

  protected override handleCompleted(
    result: unknown,
    job: Job,
    token: string,
    fetchNextCallback?: () => boolean,
    span?: Span,
  ): Promise<Job> {
    return this.recovering(token, () => super.handleCompleted(result, job, token, fetchNextCallback, span));
  }

  protected override handleFailed(
    err: Error,
    job: Job,
    token: string,
    fetchNextCallback?: () => boolean,
    span?: Span,
  ): Promise<Job> {
    return this.recovering(token, () => super.handleFailed(err, job, token, fetchNextCallback, span));
  }

  private async recovering(token: string, call: () => Promise<Job>): Promise<Job> {
    const closesBefore = this.closes();
    let fetched: Job | undefined;
    try {
      fetched = await call();
      return fetched;
    } finally {
      if (this.closes() !== closesBefore) await this.releaseLost(token, fetched);
    }
  }

  /** Held: the job the call returned (about to run under `token`) and every job being run. */
  private async releaseLost(token: string, fetched: Job | undefined) {
    const held = new Set([...this.lockManager.getTrackedJobIds(), ...(fetched?.id ? [fetched.id] : [])]);
    try {
      const jobIds = await releaseOrphans(this, token, held);
      if (jobIds.length > 0) this.log.warn("worker.orphans_released", { queue: this.name, jobIds: jobIds.join(",") });
    } catch (error) {
      // Left to the stalled-job check, as before this class.
      this.log.warn("worker.orphan_scan_failed", { queue: this.name, error });
    }
  }
}
