import type { IncomingMessage, ServerResponse } from "node:http";
import type { Queue } from "bullmq";
import type { Logger } from "../logger.server";
import { recordWebhook } from "../metrics/definitions.server";
import { enqueueWebhook, QueueUnavailableError } from "../webhooks/webhook-queue.server";
import { createShopRanker } from "../webhooks/fairness";
import { readWebhookBody, verifyWebhook, WebhookRejected } from "../webhooks/verify-delivery.server";

export interface WebhookIntakeDeps {
  secret: string;
  maxBytes: number;
  queue: () => Queue;
  connected: () => Promise<boolean>;
  log: Logger;
}

function answer(res: ServerResponse, status: number, body?: object, headers: Record<string, string> = {}) {
  res.writeHead(status, body ? { "Content-Type": "application/json", ...headers } : headers);
  res.end(body ? JSON.stringify(body) : undefined);
}

/**
 * POST /webhooks: verify, queue (job id = webhook id, priority = the shop's rank, fairness.ts),
 * answer 200. It touches no database, so it
 * stays fast and keeps answering while the database is down. A refusal queues nothing; 503 while
 * Redis is unreachable makes Shopify retry, so an acknowledged delivery is never lost.
 */
export function createWebhookIntake(deps: WebhookIntakeDeps) {
  const rankOf = createShopRanker();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // A topic is only believed once the HMAC proves Shopify sent it; until then it is "unverified".
    let topic = "unverified";
    if (req.method !== "POST") {
      recordWebhook(topic, 405);
      return answer(res, 405, { error: "Webhooks must be POSTed" }, { Allow: "POST" });
    }
    try {
      const rawBody = await readWebhookBody(req, deps.maxBytes);
      const header = (name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const delivery = verifyWebhook(header, rawBody, deps.secret);
      topic = delivery.topic;
      await enqueueWebhook(deps.queue(), delivery, deps.connected, rankOf(delivery.shop));
      recordWebhook(topic, 200);
      answer(res, 200);
    } catch (error) {
      if (error instanceof WebhookRejected) {
        recordWebhook(topic, error.status);
        deps.log.warn("webhook.rejected", { status: error.status, reason: error.message });
        return answer(res, error.status, { error: error.message });
      }
      if (error instanceof QueueUnavailableError) {
        recordWebhook(topic, 503);
        deps.log.error("webhook.queue_unavailable", { error });
        return answer(res, 503, { error: "Queue unavailable, retry later" }, { "Retry-After": "5" });
      }
      recordWebhook(topic, 500);
      deps.log.error("webhook.intake_failed", { error });
      answer(res, 500, { error: "Internal error" });
    }
  };
}
