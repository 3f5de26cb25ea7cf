import type { Db } from "../db.server";
import type { WebhookDelivery } from "../webhooks/intake.server";

/**
 * Keeps a delivery that can never be processed (its payload does not match what we parse), with
 * the reason, so it can be inspected and replayed after a fix instead of being retried forever.
 */
export async function recordDeadLetter(db: Db, delivery: WebhookDelivery, reason: string): Promise<void> {
  const shop = await db.shop.findUnique({ where: { domain: delivery.shop }, select: { id: true } });
  const data = {
    shopId: shop?.id ?? null,
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
