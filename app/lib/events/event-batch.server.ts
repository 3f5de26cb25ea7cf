import type { Queue } from "bullmq";
import type { RedisClient } from "../redis.server";
import type { Logger } from "../logger.server";
import { recordBeaconsAccepted, recordBeaconsRefused } from "../metrics/definitions.server";
import { toStorefrontEvent } from "./event-id";
import { enqueueEvents } from "./events-queue.server";
import { countRefused, takeEventBudget, type EventLimits, type RefusalReason } from "./limits.server";
import { eventBatch, type StorefrontEvent } from "./event-schema";

/** A browser clock may run a little fast; beyond this an event is from the future. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Beacons leave the page within seconds; a day-old event is a replay, not a late beacon. */
export const MAX_EVENT_AGE_MS = 24 * 3600_000;

/** A refused events request: the status to answer and the reason it is counted under. */
export class EventsRefused extends Error {
  override name = "EventsRefused";
  constructor(
    readonly status: 400 | 401 | 404 | 413 | 429,
    readonly reason: RefusalReason,
    message: string,
    /** How many events the refusal cost (1 when the body could not be read). */
    readonly events = 1,
  ) {
    super(message);
  }
}

/** Redis cannot take the batch; answered 503 with Retry-After, nothing was stored. */
export class EventsUnavailable extends Error {
  override name = "EventsUnavailable";
}

export interface EventsIntakeDeps {
  redis: RedisClient;
  queue: Queue;
  prefix: string;
  limits: EventLimits;
  /** Whether Redis can take commands now; refuse at once rather than wait on a reconnect. */
  connected: () => Promise<boolean>;
  log: Logger;
  /** The clock; tests pin it so a minute's window cannot turn mid-test. @defaultValue Date.now */
  now?: () => Date;
}

/** Parses and validates a batch body. sendBeacon posts text/plain, so the JSON is parsed here. */
export function parseEventBatch(shop: string, customerId: string | null, body: string, now: Date): StorefrontEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new EventsRefused(400, "malformed", "The body is not JSON");
  }
  const parsed = eventBatch.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EventsRefused(400, "invalid", `Invalid events: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  const events = parsed.data.events.map((event) => toStorefrontEvent(shop, customerId, event));
  // One batch comes from one browser: a timestamp out of range discredits the whole batch.
  const times = events.map((e) => Date.parse(e.occurredAt));
  if (times.some((t) => t > now.getTime() + FUTURE_TOLERANCE_MS)) {
    throw new EventsRefused(400, "future_timestamp", "An event is dated in the future", events.length);
  }
  if (times.some((t) => t < now.getTime() - MAX_EVENT_AGE_MS)) {
    throw new EventsRefused(400, "stale_timestamp", "An event is more than a day old", events.length);
  }
  return events;
}

/**
 * Takes one verified batch: validate, rate-limit, queue. Throws EventsRefused (4xx, counted) or
 * EventsUnavailable (503). Nothing is written to the database here; the events worker does that.
 */
export async function acceptEventBatch(
  deps: EventsIntakeDeps,
  request: { shop: string; customerId: string | null; body: string },
): Promise<{ accepted: number }> {
  const now = deps.now?.() ?? new Date();
  const events = parseEventBatch(request.shop, request.customerId, request.body, now);
  if (!(await deps.connected())) throw new EventsUnavailable("RedisClient is not connected");
  const perVisitor = new Map<string, number>();
  for (const e of events) perVisitor.set(e.visitorId, (perVisitor.get(e.visitorId) ?? 0) + 1);
  let budget: Awaited<ReturnType<typeof takeEventBudget>>;
  try {
    budget = await takeEventBudget(deps.redis, deps.prefix, request.shop, perVisitor, deps.limits, now.getTime());
    if (budget === "ok") await enqueueEvents(deps.queue, request.shop, events);
  } catch (error) {
    throw new EventsUnavailable(`Could not queue events: ${(error as Error).message}`, { cause: error });
  }
  if (budget !== "ok") throw new EventsRefused(429, budget, "Too many events, slow down", events.length);
  recordBeaconsAccepted(events.length);
  return { accepted: events.length };
}

/** Records a refusal (count and log line); never throws, so the answer is not held up by Redis. */
export async function recordRefusal(
  deps: Pick<EventsIntakeDeps, "redis" | "prefix" | "log">,
  shop: string | null,
  refusal: EventsRefused,
  now: Date = new Date(),
): Promise<void> {
  recordBeaconsRefused(refusal.reason, refusal.events);
  // Counted by the server's day, whatever clock the request was judged by.
  deps.log.warn("events.refused", { shop, status: refusal.status, reason: refusal.reason, events: refusal.events });
  await countRefused(deps.redis, deps.prefix, shop, refusal.reason, refusal.events, now).catch(() => undefined);
}
