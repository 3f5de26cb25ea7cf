import { UnrecoverableError, type Job, type Processor } from "bullmq";
import { ZodError } from "zod";
import type { Db } from "../../app/lib/database/client.server";
import type { Logger } from "../../app/lib/logger.server";
import { recordDeadLetter } from "../../app/lib/sync/dead-letters.server";
import type { RemoveShopSchedules } from "../../app/lib/sync/lifecycle.server";
import { WEBHOOK_HANDLERS, type HandlerContext } from "../../app/lib/sync/webhook-handlers.server";
import {
  webhookDeliverySchema as deliverySchema,
  type WebhookDelivery,
} from "../../app/lib/webhooks/webhook-queue.server";

export interface WebhookProcessorDeps {
  db: Db;
  log: Logger;
  removeShopSchedules: RemoveShopSchedules;
  requestTraining: HandlerContext["requestTraining"];
  trainAfterOrders: number;
  requestListRefresh?: HandlerContext["requestListRefresh"];
  forgetShop: HandlerContext["forgetShop"];
  customerLists?: HandlerContext["customerLists"];
  forgetCustomerLists?: HandlerContext["forgetCustomerLists"];
  removeWrittenInsights?: HandlerContext["removeWrittenInsights"];
  storefront: HandlerContext["storefront"];
  attributionWindowDays?: HandlerContext["attributionWindowDays"];
}

/**
 * Applies one queued webhook. A payload we cannot parse is dead-lettered and failed for good
 * (UnrecoverableError), since retrying cannot change it; anything else (database down, a
 * concurrent insert) throws normally so BullMQ retries it with backoff.
 */
export function createWebhookProcessor(deps: WebhookProcessorDeps): Processor {
  return async (job: Job) => {
    const parsed = deliverySchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`job ${job.id} is not a webhook delivery: ${parsed.error.message}`);
    const delivery: WebhookDelivery = parsed.data;
    const log = deps.log.child({ shop: delivery.shop, jobId: job.id, topic: delivery.topic });

    const handler = WEBHOOK_HANDLERS[delivery.topic];
    if (!handler) return deadLetter(deps.db, delivery, `no handler for topic "${delivery.topic}"`, log);
    try {
      const result = await handler({
        db: deps.db,
        delivery,
        removeShopSchedules: deps.removeShopSchedules,
        requestTraining: deps.requestTraining,
        trainAfterOrders: deps.trainAfterOrders,
        requestListRefresh: deps.requestListRefresh,
        forgetShop: deps.forgetShop,
        customerLists: deps.customerLists,
        forgetCustomerLists: deps.forgetCustomerLists,
        removeWrittenInsights: deps.removeWrittenInsights,
        storefront: deps.storefront,
        attributionWindowDays: deps.attributionWindowDays,
        log,
      });
      log.debug("webhook.applied", result);
      return result;
    } catch (error) {
      if (error instanceof ZodError) return deadLetter(deps.db, delivery, describeZodError(error), log);
      throw error;
    }
  };
}

async function deadLetter(db: Db, delivery: WebhookDelivery, reason: string, log: Logger): Promise<never> {
  await recordDeadLetter(db, delivery, reason);
  log.warn("webhook.dead_letter", { reason });
  throw new UnrecoverableError(`${delivery.topic} ${delivery.webhookId}: ${reason}`);
}

export function describeZodError(error: ZodError): string {
  return `payload does not match the expected shape: ${error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ")}`;
}
