import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopKey } from "../../app/lib/storefront-store/keys";
import { readCards } from "../../app/lib/storefront-store/cards.server";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { createSqliteTestDb } from "../helpers/test-db";
import { productPayload } from "../fixtures/shopify-payloads";

const SHOP = "cards.myshopify.com";

describe("the ingest worker keeps the storefront's product cards in step (real queue, Redis, SQLite)", () => {
  const t = createSqliteTestDb();
  let harness: Awaited<ReturnType<typeof startIngest>>;
  const card = async (id: string) => (await readCards(harness.redis, harness.prefix, SHOP, [id])).get(id);
  const send = (topic: string, payload: unknown) => harness.ingest(delivery(SHOP, topic, payload));

  beforeAll(async () => {
    harness = await startIngest(t.db);
  });
  afterAll(async () => {
    await harness.stop();
    await t.drop();
  });

  it("writes a card when a product is created", async () => {
    await send("products/create", productPayload(1));
    expect(await card("1")).toMatchObject({
      id: "1",
      variantId: "11",
      title: "Product 1",
      url: "/products/product-1",
      price: 12.5,
      compareAtPrice: 15,
      available: true,
      visible: true,
      tags: ["gift", "red"],
    });
  });

  it("follows a newer update and ignores an older one delivered late", async () => {
    await send("products/update", productPayload(1, { title: "Renamed", updated_at: "2026-01-05T10:00:00Z" }));
    await send("products/update", productPayload(1, { title: "Stale", updated_at: "2026-01-03T10:00:00Z" }));
    expect((await card("1"))?.title).toBe("Renamed");
  });

  it("hides a product once it is drafted, and once it is deleted, even if an update arrives after", async () => {
    await send("products/create", productPayload(2));
    await send("products/update", productPayload(2, { status: "draft", updated_at: "2026-01-06T10:00:00Z" }));
    expect((await card("2"))?.visible).toBe(false);
    await send("products/create", productPayload(3));
    await send("products/delete", { id: 3 });
    await send("products/update", productPayload(3, { updated_at: "2026-01-07T10:00:00Z" }));
    expect((await card("3"))?.visible).toBe(false);
  });

  it("forgets the shop's cached state on app/uninstalled, so the storefront stops serving it", async () => {
    await harness.redis.set(shopKey(harness.prefix, SHOP, "state"), JSON.stringify({ installed: true, settings: {} }));
    await send("app/uninstalled", { id: 1, domain: SHOP, myshopify_domain: SHOP });
    expect(await harness.redis.exists(shopKey(harness.prefix, SHOP, "state"))).toBe(0);
  });
});
