import type { ActionFunctionArgs } from "@remix-run/node";
import { queue, queueConnected } from "../queues.server";
import { env } from "../lib/env.server";
import { QUEUE_NAMES } from "../lib/queues.server";
import { enqueueWebhook, QueueUnavailableError } from "../lib/webhooks/enqueue.server";
import { receiveWebhook } from "../lib/webhooks/intake.server";
import { validateWebhook } from "../shopify.server";

/**
 * Every webhook topic and the compliance topics land here (see shopify.app.toml). The route only
 * verifies and queues; the ingest worker does the database work.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const delivery = await receiveWebhook(request, { validate: validateWebhook, maxBytes: env().WEBHOOK_MAX_BYTES });
  try {
    await enqueueWebhook(queue(QUEUE_NAMES.webhooks), delivery, queueConnected);
  } catch (error) {
    if (!(error instanceof QueueUnavailableError)) throw error;
    // Shopify retries a non-2xx delivery, so nothing acknowledged is ever lost.
    return Response.json({ error: "Queue unavailable, retry later" }, { status: 503, headers: { "Retry-After": "5" } });
  }
  return new Response(null, { status: 200 });
};

export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });
