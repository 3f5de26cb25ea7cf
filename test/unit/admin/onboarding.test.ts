import { describe, expect, it } from "vitest";
import {
  BLOCK_SEEN_WITHIN_MS,
  onboardingComplete,
  onboardingSteps,
  themeEditorLink,
  timeAgo,
  type OnboardingFacts,
} from "../../../app/lib/admin/onboarding";

const NOW = new Date("2026-03-10T12:00:00Z");
const fresh: OnboardingFacts = {
  shop: "example.myshopify.com",
  apiKey: "key123",
  backfills: [],
  latestRun: null,
  serving: null,
  storefrontSeenAt: null,
  pixelEvents: 0,
  pixelConnected: null,
};
/** A finished import of one product and one order. */
const oneOfEach: OnboardingFacts["backfills"] = ["products", "orders"].map((resource) => ({
  resource,
  status: "completed",
  objectCount: 1,
  recordsImported: 1,
  error: null,
}));
const byId = (facts: Partial<OnboardingFacts>) =>
  Object.fromEntries(onboardingSteps({ ...fresh, ...facts }, NOW).map((s) => [s.id, s]));

describe("the setup guide's steps", () => {
  it("given nothing yet, the import is starting and the rest are open, with the pixel not yet checked", () => {
    const steps = byId({});
    expect(Object.fromEntries(Object.entries(steps).map(([id, s]) => [id, s.status]))).toEqual({
      sync: "in_progress",
      train: "incomplete",
      block: "incomplete",
      pixel: "unknown",
    });
    expect(steps.pixel!.action).toEqual({ kind: "submit", label: "Connect pixel", intent: "connect-pixel" });
  });

  it("shows an import bar per resource: counting while Shopify exports, a share while importing", () => {
    const { sync } = byId({
      backfills: [
        { resource: "orders", status: "importing", objectCount: 800, recordsImported: 200, error: null },
        { resource: "products", status: "running", objectCount: 37, recordsImported: 0, error: null },
      ],
    });
    expect(sync!.status).toBe("in_progress");
    expect(sync!.progress).toEqual([
      { label: "Products", percent: null, detail: "Shopify is preparing them (37 so far)" },
      { label: "Orders", percent: 25, detail: "200 of 800 imported" },
    ]);
  });

  it("is complete once both imports are, and names the counts; a failed import needs attention", () => {
    const done = byId({
      backfills: [
        { resource: "products", status: "completed", objectCount: 1200, recordsImported: 1204, error: null },
        { resource: "orders", status: "completed", objectCount: 0, recordsImported: 18402, error: null },
      ],
    });
    expect(done.sync!.status).toBe("complete");
    expect(done.sync!.detail).toBe("1,204 products and 18,402 orders imported.");
    const failed = byId({
      backfills: [{ resource: "orders", status: "failed", objectCount: 0, recordsImported: 0, error: "ACCESS_DENIED" }],
    });
    expect(failed.sync!.status).toBe("attention");
    expect(failed.sync!.detail).toContain("ACCESS_DENIED");
  });

  it("counts training done once lists are served, and in progress while a run is queued or running", () => {
    expect(byId({ latestRun: { status: "running", served: null, orders: 90 } }).train!.status).toBe("in_progress");
    expect(byId({ latestRun: { status: "failed", served: null, orders: 90 } }).train!.status).toBe("attention");
    const baseline = byId({
      latestRun: { status: "completed", served: "popularity", orders: 9 },
      serving: "popularity",
    });
    expect(baseline.train!.status).toBe("complete");
    expect(baseline.train!.detail).toBe(
      "Serving your most popular products for now; your model takes over once it beats them.",
    );
  });

  it("detects the block from a recent storefront request, and asks again when it went quiet", () => {
    const recent = byId({ storefrontSeenAt: new Date(NOW.getTime() - 3 * 60_000) });
    expect(recent.block!.status).toBe("complete");
    expect(recent.block!.detail).toBe("Detected on your storefront 3 minutes ago.");
    const quiet = byId({ storefrontSeenAt: new Date(NOW.getTime() - BLOCK_SEEN_WITHIN_MS - 1) });
    expect(quiet.block!.status).toBe("attention");
    expect(quiet.block!.action?.kind).toBe("link");
  });

  it("calls the pixel done only when its events arrive", () => {
    expect(byId({ pixelConnected: true }).pixel!.status).toBe("in_progress");
    expect(byId({ pixelConnected: false }).pixel!.status).toBe("attention");
    expect(byId({ pixelEvents: 1234 }).pixel!).toMatchObject({
      status: "complete",
      detail: "Receiving events: 1,234 in the last 7 days.",
    });
  });

  it("reads right for a shop with one product and one order", () => {
    expect(byId({ backfills: oneOfEach }).sync?.detail).toBe("1 product and 1 order imported.");
  });

  it("is complete only when every step is", () => {
    const all: Partial<OnboardingFacts> = {
      backfills: oneOfEach,
      serving: "model",
      latestRun: { status: "completed", served: "model", orders: 100 },
      storefrontSeenAt: NOW,
      pixelEvents: 5,
    };
    expect(onboardingComplete(onboardingSteps({ ...fresh, ...all }, NOW))).toBe(true);
    expect(onboardingComplete(onboardingSteps({ ...fresh, ...all, pixelEvents: 0 }, NOW))).toBe(false);
  });
});

describe("the theme editor deep link", () => {
  it("opens the product template with the app block ready for the main section", () => {
    const url = new URL(themeEditorLink("example.myshopify.com", "key123"));
    expect(`${url.origin}${url.pathname}`).toBe("https://example.myshopify.com/admin/themes/current/editor");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      template: "product",
      addAppBlockId: "key123/recommendations",
      target: "mainSection",
    });
  });
});

describe("timeAgo", () => {
  it("is coarse: seconds, minutes, hours, days, then a date", () => {
    const ago = (ms: number) => timeAgo(new Date(NOW.getTime() - ms), NOW);
    expect(ago(20_000)).toBe("just now");
    expect(ago(60_000)).toBe("1 minute ago");
    expect(ago(2 * 3600_000)).toBe("2 hours ago");
    expect(ago(30 * 3600_000)).toBe("yesterday");
    expect(ago(5 * 86_400_000)).toBe("5 days ago");
    expect(ago(40 * 86_400_000)).toBe("on January 29");
  });
});
