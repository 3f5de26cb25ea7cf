import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { shopifyApp } from "@shopify/shopify-app-remix/server";
import { testConfig } from "@shopify/shopify-app-remix/test-helpers";
import { describe, expect, it } from "vitest";
import { shopDomainTransformations } from "../../app/lib/shops/domain-transformations";

// customShopDomains no longer exists in @shopify/shopify-app-remix 6 / @shopify/shopify-api 15
// (passing it does nothing); SHOP_CUSTOM_DOMAIN goes to their replacement, domainTransformations.
const api = (customDomain?: string) =>
  shopifyApi({
    apiKey: "key",
    apiSecretKey: "secret",
    apiVersion: ApiVersion.October26,
    hostName: "affinity.test",
    isEmbeddedApp: true,
    domainTransformations: shopDomainTransformations(customDomain),
    logger: { level: LogSeverity.Error, log: () => undefined },
  });

describe("SHOP_CUSTOM_DOMAIN as a domain transformation", () => {
  it("given a custom domain, the API library accepts a shop on it, unchanged", () => {
    expect(api("shop.example.dev").utils.sanitizeShop("my-store.shop.example.dev")).toBe("my-store.shop.example.dev");
    expect(api("shop.example.dev").utils.sanitizeShop("my-store.myshopify.com")).toBe("my-store.myshopify.com");
  });

  it("without one, or on another domain, that shop is refused", () => {
    expect(api().utils.sanitizeShop("my-store.shop.example.dev")).toBeNull();
    expect(api("shop.example.dev").utils.sanitizeShop("my-store.evil-example.dev")).toBeNull();
    expect(api("shop.example.dev").utils.sanitizeShop("my-store.shopXexample.dev")).toBeNull();
  });

  it("the Remix library's login accepts a shop on the custom domain only when configured", async () => {
    const login = (customDomain?: string) =>
      shopifyApp({
        ...testConfig(),
        apiVersion: ApiVersion.October26,
        logger: { level: LogSeverity.Error, log: () => undefined },
        domainTransformations: shopDomainTransformations(customDomain),
      }).login(new Request("https://affinity.test/auth/login?shop=my-store.shop.example.dev"));

    const accepted = await login("shop.example.dev").catch((thrown: unknown) => thrown);
    expect(accepted).toBeInstanceOf(Response);
    expect((accepted as Response).headers.get("location")).toContain("my-store.shop.example.dev");
    expect(await login()).toEqual({ shop: "INVALID_SHOP" });
  });
});
