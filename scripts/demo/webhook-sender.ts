import { signWebhook } from "../../dev/webhook-signing";
import { DemoError } from "./errors";
import { createProgress } from "./progress";
import type { Delivery } from "./replay-plan";

export interface SenderContext {
  shop: string;
  /** The app's origin; deliveries go to its real `POST /webhooks`. */
  origin: string;
  secret: string;
  /** Named when the app misbehaves. */
  appLog: string;
  /** Deliveries in flight at once. @defaultValue 16 */
  concurrency?: number;
}

/**
 * Sends deliveries as Shopify does: each signed with the app secret, POSTed over HTTP, several in
 * flight, in the order given (so roughly in time order), with a progress bar and live rate.
 */
export async function sendDeliveries(ctx: SenderContext, deliveries: Delivery[]): Promise<void> {
  const progress = createProgress({ label: "sending", total: deliveries.length, unit: "webhooks" });
  progress.update(0);
  let next = 0;
  let sent = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    // The first failure stops every lane, so nothing more is sent after the demo says it failed.
    while (next < deliveries.length && !failure) {
      try {
        await deliver(ctx, deliveries[next++]!);
        progress.update(++sent);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: ctx.concurrency ?? 16 }, lane));
  progress.finish();
  if (failure) throw failure.error;
}

/** Shopify retries a 503 later; so does the demo, a few times, honouring Retry-After. */
async function deliver(ctx: SenderContext, delivery: Delivery, attempt = 1): Promise<void> {
  const webhook = signWebhook({
    topic: delivery.topic,
    shop: ctx.shop,
    payload: delivery.payload(),
    secret: ctx.secret,
    webhookId: delivery.webhookId,
    eventId: delivery.webhookId,
    triggeredAt: delivery.triggeredAt,
  });
  let response: Response;
  try {
    response = await fetch(`${ctx.origin}/webhooks`, { method: "POST", headers: webhook.headers, body: webhook.body });
  } catch (error) {
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new DemoError(`The app at ${ctx.origin} stopped answering (${reason}). Its log: ${ctx.appLog}`);
  }
  const text = await response.text();
  if (response.ok) return;
  if (response.status === 503 && attempt < 5) {
    const seconds = Number(response.headers.get("retry-after")) || 1;
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return deliver(ctx, delivery, attempt + 1);
  }
  throw new DemoError(
    `The app answered ${response.status} to ${delivery.topic} ${delivery.shopifyId}: ${text.slice(0, 200)}. ` +
      `Its log: ${ctx.appLog}`,
  );
}
