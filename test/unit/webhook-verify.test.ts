import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { hasValidHmac, verifyWebhook, WebhookRejected } from "../../app/lib/webhooks/verify-delivery.server";
import { signWebhook } from "../helpers/webhooks";

const SECRET = "unit-test-secret";
const shopify = shopifyApi({
  apiKey: "key",
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.October26,
  hostName: "affinity.test",
  isEmbeddedApp: true,
  logger: { level: 0 },
});

async function libraryAccepts(headers: Record<string, string>, body: string): Promise<boolean> {
  const rawRequest = new Request("https://affinity.test/webhooks", { method: "POST", headers, body });
  return (await shopify.webhooks.validate({ rawBody: body, rawRequest })).valid;
}

const header = (headers: Record<string, string>) => (name: string) =>
  Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

function rejection(fn: () => unknown): WebhookRejected {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookRejected) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("our webhook HMAC check agrees with Shopify's library", () => {
  const webhook = signWebhook({
    topic: "orders/create",
    shop: "a.myshopify.com",
    payload: { id: 1, note: "é ✓" },
    secret: SECRET,
  });

  it("both accept a correctly signed delivery", async () => {
    expect(await libraryAccepts(webhook.headers, webhook.body)).toBe(true);
    expect(hasValidHmac(Buffer.from(webhook.body), webhook.headers["X-Shopify-Hmac-Sha256"]!, SECRET)).toBe(true);
  });

  it.each([
    ["a changed body", (h: Record<string, string>, b: string) => [h, b.replace("1", "2")] as const],
    [
      "another secret",
      (h: Record<string, string>, b: string) =>
        [
          {
            ...h,
            "X-Shopify-Hmac-Sha256": signWebhook({
              topic: "x",
              shop: "a.myshopify.com",
              payload: JSON.parse(b),
              secret: "other",
            }).headers["X-Shopify-Hmac-Sha256"]!,
          },
          b,
        ] as const,
    ],
    [
      "a truncated signature",
      (h: Record<string, string>, b: string) =>
        [{ ...h, "X-Shopify-Hmac-Sha256": h["X-Shopify-Hmac-Sha256"]!.slice(0, 20) }, b] as const,
    ],
    [
      "garbage in the signature",
      (h: Record<string, string>, b: string) => [{ ...h, "X-Shopify-Hmac-Sha256": "!!not base64!!" }, b] as const,
    ],
  ])("both refuse %s", async (_name, tamper) => {
    const [headers, body] = tamper(webhook.headers, webhook.body);
    expect(await libraryAccepts(headers, body)).toBe(false);
    expect(hasValidHmac(Buffer.from(body), headers["X-Shopify-Hmac-Sha256"]!, SECRET)).toBe(false);
  });
});

describe("verifyWebhook", () => {
  const sign = (payload: unknown = { id: 1 }) =>
    signWebhook({ topic: "products/update", shop: "a.myshopify.com", payload, secret: SECRET });

  it("returns the delivery with Shopify's own topic spelling and the parsed payload", () => {
    const w = signWebhook({
      topic: "app/scopes_update",
      shop: "a.myshopify.com",
      payload: { current: [] },
      secret: SECRET,
    });
    const d = verifyWebhook(header(w.headers), Buffer.from(w.body), SECRET);
    expect(d).toMatchObject({
      topic: "app/scopes_update",
      shop: "a.myshopify.com",
      apiVersion: "2026-10",
      payload: { current: [] },
    });
    expect(d.webhookId).toBe(w.headers["X-Shopify-Webhook-Id"]);
  });

  it("answers 401 without an HMAC, before looking at anything else", () => {
    const w = sign();
    delete w.headers["X-Shopify-Hmac-Sha256"];
    delete w.headers["X-Shopify-Topic"];
    expect(rejection(() => verifyWebhook(header(w.headers), Buffer.from(w.body), SECRET)).status).toBe(401);
  });

  it("answers 400 naming missing headers", () => {
    const w = sign();
    delete w.headers["X-Shopify-Webhook-Id"];
    const r = rejection(() => verifyWebhook(header(w.headers), Buffer.from(w.body), SECRET));
    expect([r.status, r.message]).toEqual([400, "Missing webhook headers: x-shopify-webhook-id"]);
  });

  it("answers 400 for a shop header that is not a myshopify.com domain", () => {
    const w = signWebhook({ topic: "products/update", shop: "evil.example.com", payload: {}, secret: SECRET });
    expect(rejection(() => verifyWebhook(header(w.headers), Buffer.from(w.body), SECRET)).status).toBe(400);
  });
});
