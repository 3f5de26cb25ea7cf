import { z } from "zod";

/** A verified delivery, as it is queued for the ingest worker. */
export interface WebhookDelivery {
  topic: string;
  shop: string;
  webhookId: string;
  apiVersion: string;
  /** When Shopify raised the event (X-Shopify-Triggered-At); orders deletes against updates. */
  triggeredAt: string | null;
  eventId: string | null;
  payload: unknown;
}

/** The check Shopify's library runs on a webhook: HMAC over the raw body, required headers. */
export type WebhookValidator = (args: {
  rawBody: string;
  rawRequest: Request;
}) => Promise<
  | {
      valid: true;
      topic: string;
      domain: string;
      webhookId: string;
      apiVersion: string;
      triggeredAt?: string;
      eventId?: string;
    }
  | { valid: false; reason: string; missingHeaders?: string[] }
>;

/** Thrown to answer a webhook with a 4xx/5xx; Remix sends a thrown Response as is. */
function reject(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: message }), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/**
 * Reads the body but never more than `maxBytes`, so an oversized or endless body cannot exhaust
 * memory. Content-Length is checked first, and the stream is counted as well because the header
 * may be absent (chunked) or wrong.
 */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw reject(413, `Webhook body is larger than ${maxBytes} bytes`);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw reject(413, `Webhook body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const jsonBody = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "body is not valid JSON" });
    return z.NEVER;
  }
});

/**
 * Verifies and parses one webhook request. Throws a Response for every refusal: 405 for a
 * non-POST, 413 for an oversized body, 400 for missing headers or a body that is not JSON,
 * 401 for a bad or missing HMAC (nothing is queued for any of these).
 */
export async function receiveWebhook(
  request: Request,
  options: { validate: WebhookValidator; maxBytes: number },
): Promise<WebhookDelivery> {
  if (request.method !== "POST") throw reject(405, "Webhooks must be POSTed", { Allow: "POST" });
  const rawBody = await readBodyWithLimit(request, options.maxBytes);
  const check = await options.validate({ rawBody, rawRequest: request });
  if (!check.valid) {
    if (check.reason === "invalid_hmac") throw reject(401, "Invalid webhook HMAC");
    // An unsigned request is unauthenticated, not merely malformed.
    if (check.reason === "missing_hmac") throw reject(401, "Missing webhook HMAC");
    if (check.reason === "missing_headers") {
      throw reject(400, `Missing webhook headers: ${(check.missingHeaders ?? []).join(", ")}`);
    }
    throw reject(400, `Invalid webhook: ${check.reason}`);
  }
  const body = jsonBody.safeParse(rawBody);
  if (!body.success) throw reject(400, "Webhook body is not valid JSON");
  return {
    // The header keeps Shopify's own spelling ("app/scopes_update"); the library's check.topic is
    // rewritten to "APP_SCOPES_UPDATE", which cannot be mapped back unambiguously.
    topic: request.headers.get("x-shopify-topic") ?? check.topic,
    shop: check.domain,
    webhookId: check.webhookId,
    apiVersion: check.apiVersion,
    triggeredAt: check.triggeredAt ?? null,
    eventId: check.eventId ?? null,
    payload: body.data,
  };
}
