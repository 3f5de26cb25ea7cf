import type { Queue } from "bullmq";
import { exposureKey } from "../storefront-store/keys";
import type { RedisClient } from "../redis.server";
import { toStorefrontEvent } from "./event-id";
import { enqueueEvents } from "./events-queue.server";

export interface ExposureDeps {
  redis: RedisClient;
  queue: Queue;
  prefix: string;
}

export interface Exposure {
  shop: string;
  experimentId: string;
  visitorId: string;
  /** From the proxy's signed logged_in_customer_id. */
  customerId: string | null;
  /** The response's recommendation id; absent when control is shown nothing. */
  recommendationId?: string;
  at?: Date;
}

/** A visitor is recorded as exposed once per experiment; this long covers any experiment's start. */
const REMEMBER_SECONDS = 30 * 24 * 3600;

/**
 * Records that the recommendations route answered a visitor of an experiment (either arm), so
 * both arms enter the test the same way, whatever control is shown (docs/decisions/008). Only the
 * first answer per visitor and experiment queues an event (SET NX), so page views cost one Redis
 * command, not a database row. Returns whether an event was queued.
 */
export async function recordExposure(deps: ExposureDeps, exposure: Exposure): Promise<boolean> {
  const key = exposureKey(deps.prefix, exposure.shop, exposure.experimentId, exposure.visitorId);
  const first = await deps.redis.set(key, "1", "EX", REMEMBER_SECONDS, "NX");
  if (first !== "OK") return false;
  const event = toStorefrontEvent(exposure.shop, exposure.customerId, {
    type: "exposure",
    visitorId: exposure.visitorId,
    at: (exposure.at ?? new Date()).toISOString(),
    ...(exposure.recommendationId ? { recommendationId: exposure.recommendationId } : {}),
  });
  try {
    await enqueueEvents(deps.queue, exposure.shop, [event]);
  } catch (error) {
    // Not queued: forget the marker so the next answer tries again.
    await deps.redis.del(key).catch(() => undefined);
    throw error;
  }
  return true;
}
