import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../app/lib/logger.server";
import { activatePixelAfterAuth, activateWebPixel, PixelActivationError } from "../../app/lib/pixel/activate.server";
import {
  InvalidPixelSettingsError,
  loadPixelSettings,
  validatePixelSettings,
  PIXEL_TOML,
} from "../../app/lib/pixel/settings";
import { createAdminGraphql } from "../../app/lib/shopify/admin-client.server";
import { startAdminApiStandIn, type AdminApiStandIn } from "../helpers/admin-api-stand-in";
import { redirectShopifyTo, type ShopifyRedirect } from "../helpers/shopify-network";

const TOKEN = "shpat_offline_test_token";
const SHOP = "pixel-shop.myshopify.com";
const toml = readFileSync(PIXEL_TOML, "utf8");

describe("web pixel activation against the Admin API stand-in", () => {
  let standIn: AdminApiStandIn;
  let network: ShopifyRedirect;
  const admin = () => createAdminGraphql({ shop: SHOP, accessToken: TOKEN }).request;

  beforeEach(async () => {
    standIn = await startAdminApiStandIn({ accessToken: TOKEN });
    network = redirectShopifyTo(standIn.origin);
  });
  afterEach(async () => {
    network.restore();
    await standIn.close();
    expect(network.blocked).toEqual([]);
  });

  it("derives the settings from the app's proxy path and checks them against the extension's TOML", () => {
    expect(loadPixelSettings()).toEqual({ eventsPath: "/apps/affinity/events" });
    expect(() => validatePixelSettings({ eventsPath: "https://evil.example/collect" }, toml)).toThrow(
      InvalidPixelSettingsError,
    );
    expect(() => validatePixelSettings({ eventsPath: "/apps/affinity/events", extra: "x" }, toml)).toThrow(
      InvalidPixelSettingsError,
    );
    expect(() => validatePixelSettings({}, toml)).toThrow(/eventsPath/);
  });

  it("creates the pixel on install, and updates it on a reinstall instead of failing", async () => {
    const first = await activateWebPixel(admin(), loadPixelSettings());
    expect(first.created).toBe(true);
    expect(standIn.pixels.get(SHOP)).toEqual({
      id: first.id,
      settings: JSON.stringify({ eventsPath: "/apps/affinity/events" }),
    });

    const again = await activateWebPixel(admin(), loadPixelSettings());
    expect(again).toEqual({ id: first.id, created: false });
    expect(standIn.pixels.size).toBe(1);
    expect(standIn.requests.map((r) => r.kind)).toEqual(["pixelCreate", "pixelCreate", "pixelFind", "pixelUpdate"]);
  });

  it("reports Shopify's refusal of settings as a typed error", async () => {
    // Settings that skip the local check reach Shopify's own, which refuses them.
    const error = await activateWebPixel(admin(), { eventsPath: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PixelActivationError);
    expect((error as PixelActivationError).codes).toEqual(["INVALID_SETTINGS"]);
  });

  it("never fails the merchant's login when activation fails (logged instead)", async () => {
    const lines: string[] = [];
    const log = createLogger("info", {}, (line) => lines.push(line));
    const revoked = createAdminGraphql({ shop: SHOP, accessToken: "revoked" }).request;
    await activatePixelAfterAuth(revoked, loadPixelSettings, log, SHOP);
    expect(lines.map((l) => JSON.parse(l).event)).toEqual(["pixel.activation_failed"]);
    await activatePixelAfterAuth(admin(), loadPixelSettings, log, SHOP);
    expect(JSON.parse(lines[1]!)).toMatchObject({ event: "pixel.activated", shop: SHOP, created: true });
  });
});
