import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markReconnectRequired } from "../../app/lib/shops/reconnect.server";
import { embeddedQuery, mintSessionToken } from "../helpers/admin-session";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";
import { DESKTOP_USER_AGENT } from "../helpers/browser";

const LEGACY_TOKEN = "shpat_offline_test_token";
const BANNER = "Affinity needs to reconnect to your store";

describe("the admin and a shop's offline token", () => {
  let stack: AdminStack;
  const session = () => stack.t.db.session.findUniqueOrThrow({ where: { id: `offline_${stack.shop}` } });
  const shopRow = () => stack.t.db.shop.findUniqueOrThrow({ where: { domain: stack.shop } });
  const exchanges = () =>
    stack.standIn.tokens.requests.filter((r) => r.grantType.includes("token-exchange") && r.shop === stack.shop).length;
  const page = async (path: string) => {
    const query = embeddedQuery(stack.shop, await mintSessionToken(stack.shop));
    const response = await fetch(`${stack.origin}${path}?${query}`, { headers: { "user-agent": DESKTOP_USER_AGENT } });
    return { status: response.status, html: await response.text() };
  };
  const bearer = async () => ({
    authorization: `Bearer ${await mintSessionToken(stack.shop)}`,
    "user-agent": DESKTOP_USER_AGENT,
  });

  beforeAll(async () => {
    stack = await startAdminStack({ browser: false });
  });
  afterAll(() => stack?.stop());

  it("opening the app exchanges the stored non-expiring token for an expiring pair, once", async () => {
    expect((await session()).accessToken).toBe(LEGACY_TOKEN);
    const first = await page("/app/settings");
    expect(first.status).toBe(200);
    expect(first.html).not.toContain(BANNER);
    const stored = await session();
    expect(stored.accessToken).not.toBe(LEGACY_TOKEN);
    expect(stored.refreshToken).toMatch(/^shprt_/);
    expect(stored.expires).toBeInstanceOf(Date);
    expect(exchanges()).toBe(1);

    await page("/app/model");
    expect(exchanges()).toBe(1);
  });

  it("given a shop that needs reconnecting, every page shows the banner with its two actions", async () => {
    // As a worker leaves it when the token endpoint kept failing; the stored token still looks valid.
    await markReconnectRequired(stack.t.db, stack.shop, "unavailable", new Date("2026-12-01T09:00:00Z"));
    for (const path of ["/app", "/app/model", "/app/settings"]) {
      const { status, html } = await page(path);
      expect(status, path).toBe(200);
      expect(html, path).toContain(BANNER);
      expect(html, path).toContain("Since Dec 1, 2026");
      expect(html, path).toContain("Reconnect");
      expect(html, path).toContain(`https://${stack.shop}/admin/oauth/install?client_id=`);
    }
    expect((await shopRow()).status).toBe("installed");
  });

  it("Reconnect exchanges the merchant's session token for a fresh offline token and clears the state", async () => {
    const before = (await session()).accessToken;
    const posted = await fetch(`${stack.origin}/app/reconnect`, { method: "POST", headers: await bearer() });
    expect(posted.status).toBe(200);
    // Remix reloads the page's data next: that request runs the library's token exchange and afterAuth.
    const data = await fetch(`${stack.origin}/app/settings.data`, { headers: await bearer() });
    expect(data.status).toBe(200);
    expect(await data.text()).not.toContain(BANNER);

    const after = await session();
    expect(after.accessToken).not.toBe(before);
    expect(after.expires!.getTime()).toBeGreaterThan(Date.now());
    expect(stack.standIn.tokens.accepts(stack.shop, after.accessToken)).toBe(true);
    expect(await shopRow()).toMatchObject({ reconnectRequiredAt: null, reconnectReason: null, status: "installed" });
    expect((await page("/app")).html).not.toContain(BANNER);
  });

  it("a shop whose grant Shopify revoked heals when the merchant next opens the app", async () => {
    stack.standIn.tokens.revoke(stack.shop);
    await markReconnectRequired(stack.t.db, stack.shop, "revoked");
    const { status, html } = await page("/app/settings");
    expect(status).toBe(200);
    expect(html).not.toContain(BANNER);
    expect(await shopRow()).toMatchObject({ reconnectRequiredAt: null, status: "installed" });
    expect(stack.standIn.tokens.accepts(stack.shop, (await session()).accessToken)).toBe(true);
  });
});
