import { UnrecoverableError, type Job, type Processor } from "bullmq";
import { ensureShopId } from "../../app/lib/shops/registry.server";
import type { Db } from "../../app/lib/database/client.server";
import type { Logger } from "../../app/lib/logger.server";
import { followUpOrders } from "../../app/lib/conversion/follow-ups.server";
import { recomputeOrderAttribution } from "../../app/lib/conversion/order-attribution.server";
import { eventsJob } from "../../app/lib/events/event-schema";
import { storeEvents } from "../../app/lib/conversion/store-events.server";

export interface EventsProcessorDeps {
  db: Db;
  log: Logger;
  /** The shop's attribution window in days (merchant setting; 7 by default). */
  attributionWindowDays: (shop: string) => Promise<number>;
}

/**
 * Stores a batch of storefront events (each once), keeps the rollups in step, then recomputes the
 * attribution of orders the new events can change. A retry redoes only what is missing: stored
 * events are skipped by id, and recomputing an order is idempotent.
 */
export function createEventsProcessor(deps: EventsProcessorDeps): Processor {
  return async (job: Job) => {
    const parsed = eventsJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`job ${job.id} is not an events batch: ${parsed.error.message}`);
    const { shop } = parsed.data;
    const stored = await storeEvents(deps.db, parsed.data);
    // A retry may find its events stored by the failed attempt: follow all of them up again.
    const followUps =
      job.attemptsMade > 0 ? parsed.data.events.filter((e) => !e.type.startsWith("product_")) : stored.followUps;
    let recomputed = 0;
    if (followUps.length > 0) {
      const shopId = await ensureShopId(deps.db, shop);
      const windowDays = await deps.attributionWindowDays(shop);
      const orders = await followUpOrders(deps.db, shopId, followUps, windowDays);
      for (const id of orders) {
        if (await recomputeOrderAttribution(deps.db, shopId, id, { windowDays })) recomputed += 1;
      }
    }
    const result = { stored: stored.stored, duplicates: stored.duplicates, ordersRecomputed: recomputed };
    deps.log.debug("events.stored", { shop, jobId: job.id, ...result });
    return result;
  };
}
