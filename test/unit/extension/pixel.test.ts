import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventBatch } from "../../../app/lib/events/event-schema";
import {
  handleEvent,
  startPixel,
  SUBSCRIBED,
  VISITOR_KEY,
  type PixelApi,
  type PixelEvent,
} from "../../../extensions/affinity-pixel/src/pixel";

/** The pixel's sandbox API, as plain objects: storage and beacons are recorded. */
function fakeApi(
  stored: Record<string, string> = {},
  settings: Record<string, unknown> = { eventsPath: "/apps/affinity/events" },
) {
  const beacons: Array<{ url: string; body: unknown }> = [];
  const handlers = new Map<string, (event: PixelEvent) => void>();
  const api: PixelApi = {
    settings,
    analytics: { subscribe: (name, callback) => handlers.set(name, callback) },
    browser: {
      localStorage: {
        getItem: async (key) => stored[key] ?? null,
        setItem: async (key, value) => void (stored[key] = value),
      },
      sendBeacon: async (url, body) => (beacons.push({ url, body: JSON.parse(body ?? "null") }), true),
    },
    init: { context: { document: { location: { origin: "https://shop.example" } } } },
  };
  return { api, beacons, handlers, stored };
}

const viewed: PixelEvent = {
  id: "sh-1",
  name: "product_viewed",
  clientId: "c1d2e3f4-0000-4abc-8def-123456789abc",
  timestamp: "2026-02-01T10:00:00.000Z",
  data: { productVariant: { product: { id: "gid://shopify/Product/101" } } },
};

describe("web pixel", () => {
  it("subscribes to product views, add to cart and completed checkouts", () => {
    const { api, handlers } = fakeApi();
    startPixel(api);
    expect([...handlers.keys()]).toEqual([...SUBSCRIBED]);
  });

  it("sends a product view as a beacon the events route accepts, with the block's visitor id", async () => {
    const { api, beacons } = fakeApi({ [VISITOR_KEY]: JSON.stringify("abcdef0123456789abcdef0123456789") });
    expect(await handleEvent(api, viewed)).toBe(true);
    expect(beacons).toEqual([
      {
        url: "https://shop.example/apps/affinity/events",
        body: {
          events: [
            {
              type: "product_viewed",
              id: "sh-1",
              productId: "101",
              at: viewed.timestamp,
              visitorId: "abcdef0123456789abcdef0123456789",
            },
          ],
        },
      },
    ]);
    expect(eventBatch.safeParse(beacons[0]!.body).success).toBe(true);
  });

  it("without a block visitor id, uses Shopify's clientId and stores it for the block", async () => {
    const { api, beacons, stored } = fakeApi();
    await handleEvent(api, viewed);
    const visitorId = (beacons[0]!.body as { events: Array<{ visitorId: string }> }).events[0]!.visitorId;
    expect(visitorId).toBe("c1d2e3f4-0000-4abc-8def-123456789abc");
    expect(JSON.parse(stored[VISITOR_KEY]!)).toBe(visitorId);
  });

  it("links a completed checkout to its order, and an add to cart to its product", async () => {
    const { api, beacons } = fakeApi();
    await handleEvent(api, {
      ...viewed,
      id: "sh-2",
      name: "checkout_completed",
      data: { checkout: { order: { id: "5001" } } },
    });
    await handleEvent(api, {
      ...viewed,
      id: "sh-3",
      name: "product_added_to_cart",
      data: { cartLine: { merchandise: { product: { id: "102" } } } },
    });
    const events = beacons.map((b) => (b.body as { events: unknown[] }).events[0]);
    expect(events).toMatchObject([
      { type: "checkout_completed", orderId: "5001" },
      { type: "product_added_to_cart", productId: "102" },
    ]);
    for (const b of beacons) expect(eventBatch.safeParse(b.body).success).toBe(true);
  });

  it("sends nothing for an event without the ids it needs, and never throws", async () => {
    const { api, beacons } = fakeApi();
    expect(await handleEvent(api, { ...viewed, data: {} })).toBe(false);
    api.browser.sendBeacon = async () => {
      throw new Error("blocked");
    };
    expect(await handleEvent(api, viewed)).toBe(false);
    expect(beacons).toEqual([]);
  });

  it("registers through Shopify's register() in its entry point", () => {
    const entry = readFileSync("extensions/affinity-pixel/src/index.ts", "utf8");
    expect(entry).toMatch(/import \{ register \} from "@shopify\/web-pixels-extension"/);
    expect(entry).toMatch(/register\(\(api\) => startPixel\(api\)\)/);
  });
});
