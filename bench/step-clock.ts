/**
 * The clock the metrics-cost bench gives the server's serving caches (app/lib/storefront-store/
 * cache-clock.ts), so that which requests find the caches fresh depends only on the requests
 * sent, never on how fast valgrind lets the server run.
 *
 * It advances `stepMs` per request the server receives; that is a process answering
 * 1,000 / stepMs requests a second, so a 1 s state cache is read from Redis once every
 * 1,000 / stepMs requests. At each mark it jumps ahead by `jumpMs`, rounded up to a whole
 * number of `jumpMs`: every cache entry that lives at most `jumpMs` (state, experiment, cards,
 * collections, the "seen" marker) has expired when a measured phase starts, so how many requests
 * came before it (warm-up, a retried request) does not decide where in the phase they expire.
 */
export interface StepClock {
  now(): number;
  /** One request arrived. */
  request(): void;
  /** A measured window starts or ends. */
  mark(): void;
}

export interface StepClockOptions {
  /** The first reading, e.g. Date.now() at start-up: the caches compare it with stored times. */
  start: number;
  /** @defaultValue 1 (a process answering 1,000 requests a second) */
  stepMs?: number;
  /** @defaultValue 60_000 (the longest of the short-lived caches: collections, the seen marker) */
  jumpMs?: number;
}

export function createStepClock(options: StepClockOptions): StepClock {
  const step = options.stepMs ?? 1;
  const jump = options.jumpMs ?? 60_000;
  let time = options.start;
  return {
    now: () => time,
    request() {
      time += step;
    },
    mark() {
      time = Math.ceil((time + jump) / jump) * jump;
    },
  };
}
