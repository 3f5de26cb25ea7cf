import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import {
  InvalidProxySignatureError,
  proxyQuery,
  verifyAppProxyQuery,
} from "../../../app/lib/app-proxy/verify-signature";
import { signAppProxyQuery } from "../../helpers/app-proxy";

const SECRET = "unit-test-secret";
const shopify = shopifyApi({
  apiKey: "key",
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.October26,
  hostName: "affinity.test",
  isEmbeddedApp: true,
  logger: { level: 0 },
});

const libraryAccepts = (query: URLSearchParams) =>
  shopify.utils.validateHmac(query, { signator: "appProxy" }).catch(() => false);

function ours(query: URLSearchParams, nowMs = Date.now()): "ok" | InvalidProxySignatureError {
  try {
    verifyAppProxyQuery(query, SECRET, nowMs);
    return "ok";
  } catch (error) {
    if (error instanceof InvalidProxySignatureError) return error;
    throw error;
  }
}

const signed = (query: Record<string, string> | string, customer = "") =>
  signAppProxyQuery(new URLSearchParams(query), { shop: "a.myshopify.com", loggedInCustomerId: customer }, SECRET);

describe("our App Proxy signature check agrees with Shopify's library", () => {
  const cases: [string, URLSearchParams][] = [
    ["a plain request", signed({ context: "home", limit: "4" })],
    ["a logged-in customer", signed({ context: "cart", cart: "1,2,3" }, "7012")],
    ["repeated keys, joined with commas", signed("history=1&history=2&context=product&product_id=9")],
    ["a repeated key apart from itself", signed("history=3&context=product&history=1&limit=4&history=2")],
    ["non-ASCII values", signed({ context: "home", note: "é ✓" })],
    // The locale order differs from code-unit order for these: digits, capitals, leading "_".
    ["keys with digits and capitals", signed({ a1b: "1", a_b: "2", Bz: "3", a: "4", _z: "5", "9": "6" })],
    ["only lower-case and underscore keys", signed({ a_b: "1", ab: "2", a: "3", _a: "4", logged_in: "5" })],
  ];
  it.each(cases)("given %s, both accept it", async (_, query) => {
    expect(await libraryAccepts(query)).toBe(true);
    expect(ours(query)).toBe("ok");
  });

  it.each(cases)("given %s with one value changed, both refuse it with 401", async (_, query) => {
    const tampered = new URLSearchParams(query);
    tampered.set("limit", "12");
    expect(await libraryAccepts(tampered)).toBe(false);
    expect(ours(tampered)).toMatchObject({ status: 401 });
  });

  it("refuses a signature made with another secret", async () => {
    const other = signAppProxyQuery(new URLSearchParams({ context: "home" }), { shop: "a.myshopify.com" }, "other");
    expect(await libraryAccepts(other)).toBe(false);
    expect(ours(other)).toMatchObject({ status: 401, message: expect.stringMatching(/does not match/) });
  });

  it("refuses a stale signature (older than Shopify's 90 s tolerance) with 401", async () => {
    const old = signAppProxyQuery(
      new URLSearchParams({ context: "home" }),
      { shop: "a.myshopify.com", timestamp: Math.floor(Date.now() / 1000) - 300 },
      SECRET,
    );
    expect(await libraryAccepts(old)).toBe(false);
    expect(ours(old)).toMatchObject({ status: 401, message: expect.stringMatching(/expired/) });
  });

  it("refuses requests that cannot come from the proxy with 400", () => {
    expect(ours(new URLSearchParams({ context: "home" }))).toMatchObject({ status: 400 });
    const noSignature = signed({ context: "home" });
    noSignature.delete("signature");
    expect(ours(noSignature)).toMatchObject({ status: 400 });
    const twice = signed({ context: "home" });
    twice.append("shop", "b.myshopify.com");
    expect(ours(twice)).toMatchObject({ status: 400 });
    const notShopify = signAppProxyQuery(new URLSearchParams(), { shop: "evil.example.com" }, SECRET);
    expect(ours(notShopify)).toMatchObject({ status: 400 });
  });

  it("returns the shop and the logged-in customer, and ignores a malformed customer id", () => {
    expect(verifyAppProxyQuery(signed({}, "7012"), SECRET)).toEqual({
      shop: "a.myshopify.com",
      loggedInCustomerId: "7012",
    });
    expect(verifyAppProxyQuery(signed({}), SECRET).loggedInCustomerId).toBeNull();
    expect(verifyAppProxyQuery(signed({}, "12; DROP"), SECRET).loggedInCustomerId).toBeNull();
  });
});

describe("proxyQuery", () => {
  it("reads the query of a forwarded path, and nothing from a path without one", () => {
    expect(proxyQuery("/apps/affinity/events?shop=a.myshopify.com&x=1%2C2").get("x")).toBe("1,2");
    expect([...proxyQuery("/apps/affinity/events")]).toEqual([]);
    expect([...proxyQuery(undefined)]).toEqual([]);
  });
});
