import type { Db } from "../database/client.server";
import { findShopId } from "../shops/registry.server";
import type { WebhookDelivery } from "../webhooks/webhook-queue.server";

/**
 * Keeps a delivery that can never be processed (its payload does not match what we parse), with
 * the reason, so it can be inspected and replayed after a fix instead of being retried forever.
 */
export async function recordDeadLetter(db: Db, delivery: WebhookDelivery, reason: string): Promise<void> {
  const data = {
    shopId: await findShopId(db, delivery.shop),
    shopDomain: delivery.shop,
    topic: delivery.topic,
    payload: JSON.stringify(delivery.payload),
    reason,
  };
  await db.webhookDeadLetter.upsert({
    where: { webhookId: delivery.webhookId },
    create: { webhookId: delivery.webhookId, ...data },
    update: data,
  });
}
