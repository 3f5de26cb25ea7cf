import { describe, expect, it } from "vitest";
import { createTokenEndpoint } from "../helpers/token-endpoint-stand-in";

// The stand-in is only as good as its rules: these are Shopify's, checked one by one.
const SHOP = "rules.myshopify.com";
const LEGACY = "shpat_legacy";

function endpoint() {
  const clock = { now: Date.parse("2026-12-31T12:00:00Z") };
  const tokens = createTokenEndpoint({
    clientId: "id",
    clientSecret: "secret",
    legacyToken: LEGACY,
    scope: "read_products",
    now: () => clock.now,
  });
  const post = async (params: Record<string, string>) => {
    const answer = await tokens.answer(
      SHOP,
      JSON.stringify({ client_id: "id", client_secret: "secret", ...params }),
      "application/json",
    );
    return answer as { status: number; body: Record<string, string | number> };
  };
  const migrate = () =>
    post({
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: LEGACY,
      subject_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring: "1",
    });
  const refresh = (token: string | number | undefined) =>
    post({ grant_type: "refresh_token", refresh_token: String(token) });
  return { clock, tokens, post, migrate, refresh };
}

describe("the token endpoint stand-in", () => {
  it("exchanges a non-expiring token once for an hour-long token and a refresh token; the old one stops working", async () => {
    const { clock, tokens, migrate } = endpoint();
    expect(tokens.accepts(SHOP, LEGACY)).toBe(true);
    const { status, body } = await migrate();
    expect(status).toBe(200);
    expect(body).toMatchObject({ expires_in: 3600, refresh_token: expect.stringMatching(/^shprt_/) });
    expect(tokens.accepts(SHOP, LEGACY)).toBe(false);
    expect(tokens.accepts(SHOP, String(body.access_token))).toBe(true);
    // A retried migration (a lost response) gets the same pair.
    expect((await migrate()).body.access_token).toBe(body.access_token);

    clock.now += 3600_000;
    expect(tokens.accepts(SHOP, String(body.access_token))).toBe(false);
  });

  it("rotates the refresh token; the previous one works until its replacement is first used", async () => {
    const { tokens, migrate, refresh } = endpoint();
    const r1 = (await migrate()).body.refresh_token;
    const second = await refresh(r1);
    expect(second.status).toBe(200);
    const r2 = second.body.refresh_token;
    expect(r2).not.toBe(r1);

    // The response was lost: r1 still works, since r2 was never used.
    const third = await refresh(r1);
    expect(third.status).toBe(200);
    const r3 = third.body.refresh_token;
    expect(tokens.usableRefreshTokens(SHOP)).toEqual([r1, r3]);

    // Using the replacement retires the one before it.
    expect((await refresh(r3)).status).toBe(200);
    expect(await refresh(r1)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(await refresh(r2)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("refuses a revoked grant, a malformed refresh token and wrong client credentials", async () => {
    const { tokens, migrate, refresh, post } = endpoint();
    const { body } = await migrate();
    expect(await refresh("not-a-token")).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(
      await post({ grant_type: "refresh_token", refresh_token: String(body.refresh_token), client_secret: "x" }),
    ).toMatchObject({
      status: 401,
      body: { error: "invalid_client" },
    });
    tokens.revoke(SHOP);
    expect(await refresh(body.refresh_token)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(tokens.accepts(SHOP, String(body.access_token))).toBe(false);
  });

  it("answers injected failures in order: 503, then no answer at all", async () => {
    const { tokens, migrate } = endpoint();
    tokens.failures.push("5xx", "timeout");
    expect((await migrate()).status).toBe(503);
    expect(await migrate()).toBeNull();
    expect((await migrate()).status).toBe(200);
    expect(tokens.requests.map((r) => r.status)).toEqual([503, "no answer", 200]);
  });
});
