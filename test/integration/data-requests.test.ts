import { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDataRequests } from "../../app/lib/admin/data-requests.server";
import { currentExperiment } from "../../app/lib/conversion/experiments.server";
import { storeEvents } from "../../app/lib/conversion/store-events.server";
import {
  activateRun,
  CUSTOMER_LIST_KINDS,
  readCustomerLists,
  writeRunLists,
} from "../../app/lib/storefront-store/run-lists.server";
import { runKey } from "../../app/lib/storefront-store/keys";
import { seedShop } from "../helpers/admin-seed";
import { mintSessionToken } from "../helpers/admin-session";
import { startAdminStack, type AdminStack } from "../helpers/admin-stack";
import { DESKTOP_USER_AGENT } from "../helpers/browser";
import { storefrontEvents } from "../helpers/events-harness";
import { delivery, startIngest } from "../helpers/ingest-harness";
import { createSqliteTestDb, createTestDb, DATABASE_KINDS, type TestDb } from "../helpers/test-db";
import { customerPayload, orderPayload } from "../fixtures/shopify-payloads";

const CUSTOMER = "555"; // orderPayload's customer
const VISITOR = "v0000000000000000000000000000555";
const OTHER_VISITOR = "v0000000000000000000000000000999";

/** Stored columns a report leaves out on purpose: row ids and bookkeeping, never customer data. */
const INTERNAL: Record<string, string[]> = {
  Customer: ["id", "shopId", "createdAt", "updatedAt"],
  Order: ["id", "shopId"],
  OrderLine: ["id", "shopId", "orderId"],
  Event: ["id", "shopId"],
  RefundLine: ["shopId"],
  OrderAttribution: ["shopId", "version"],
  ExperimentVisitor: [],
  VisitorDay: ["shopId"],
};

const columns = (model: string) =>
  Prisma.dmmf.datamodel.models
    .find((m) => m.name === model)!
    .fields.filter((f) => f.kind === "scalar" && !INTERNAL[model]!.includes(f.name))
    .map((f) => f.name)
    .sort();

interface Report {
  customer: Record<string, unknown>;
  orders: Array<Record<string, unknown> & { lines: Array<Record<string, unknown>> }>;
  refundLines: Array<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
  holdoutAssignments: Array<Record<string, unknown>>;
  visitorDays: Array<Record<string, unknown>>;
  attributions: Array<Record<string, unknown>>;
  recommendationLists: Record<string, { active: string[]; previous: string[] }>;
}

describe.each(DATABASE_KINDS)("a customers/data_request report on %s", (kind) => {
  let t: TestDb;
  let ingest: Awaited<ReturnType<typeof startIngest>>;
  const shop = `data-request-${kind}.myshopify.com`;
  const send = (topic: string, payload: unknown) => ingest.ingest(delivery(shop, topic, payload));
  const runKeyOf = (run: string, part: "for") => runKey(ingest.prefix, shop, run, part);

  beforeAll(async () => {
    t = await createTestDb(kind);
    ingest = await startIngest(t.db);
  });
  afterAll(async () => {
    await ingest.stop();
    await t.drop();
  });

  it("holds everything Affinity stores about the customer: orders, events, assignments, attributions and lists", async () => {
    await send("customers/create", customerPayload(555));
    await currentExperiment({ db: t.db, redis: ingest.redis, prefix: ingest.prefix }, shop, 50, new Date("2026-01-01"));
    // Logged in: shown recommendations, clicked one, checked out order 10 (placed 14:30 UTC).
    await storeEvents(t.db, {
      shop,
      events: storefrontEvents(
        shop,
        [
          { type: "exposure", recommendationId: "rec_abc", at: "2026-02-01T14:00:00Z", visitorId: VISITOR },
          {
            type: "click",
            recommendationId: "rec_abc",
            productId: "101",
            at: "2026-02-01T14:05:00Z",
            visitorId: VISITOR,
          },
          { type: "checkout_completed", id: "co-10", orderId: "10", at: "2026-02-01T14:30:00Z", visitorId: VISITOR },
        ],
        CUSTOMER,
      ),
    });
    // Someone else's browsing, which must stay out.
    await storeEvents(t.db, {
      shop,
      events: storefrontEvents(shop, [
        { type: "exposure", recommendationId: "rec_x", at: "2026-02-01T14:00:00Z", visitorId: OTHER_VISITOR },
      ]),
    });
    await send("orders/create", orderPayload(10));
    await send("orders/create", orderPayload(11, { customer: { id: 777 } }));
    await send("refunds/create", {
      id: 501,
      order_id: 10,
      refund_line_items: [{ id: 601, line_item_id: 102, quantity: 1 }],
    });
    // Two training runs' lists: the one served and the one kept for rollback.
    for (const [run, forCustomer] of [
      ["run-old", ["201"]],
      ["run-new", ["202", "203"]],
    ] as const) {
      await writeRunLists(ingest.redis, ingest.prefix, shop, run, {
        forCustomer: new Map([[CUSTOMER, [...forCustomer]]]),
        againForCustomer: new Map([[CUSTOMER, ["101"]]]),
        newForCustomer: new Map([[CUSTOMER, [...forCustomer]]]),
        related: new Map([["101", ["102"]]]),
        bought: new Map([[CUSTOMER, ["101", "102"]]]),
        popular: ["101"],
      });
      await activateRun(ingest.redis, ingest.prefix, shop, run);
    }

    const request = delivery(shop, "customers/data_request", {
      shop_id: 1,
      shop_domain: shop,
      customer: { id: 555, email: "shopper555@example.com" },
      orders_requested: [10],
      data_request: { id: 9 },
    });
    expect((await ingest.ingest(request)).returnvalue).toEqual({ orders: 1 });
    const stored = await t.db.dataRequest.findUniqueOrThrow({ where: { webhookId: request.webhookId } });
    const report = JSON.parse(stored.report) as Report;

    expect(report.orders.map((o) => o.shopifyId)).toEqual(["10"]);
    expect(report.orders[0]!.lines.map((l) => l.shopifyId)).toEqual(["101", "102"]);
    expect(report.refundLines).toMatchObject([{ orderShopifyId: "10", lineShopifyId: "102", quantity: 1 }]);
    expect(report.events.map((e) => e.type)).toEqual(["exposure", "click", "checkout_completed"]);
    expect(report.holdoutAssignments).toHaveLength(1);
    expect(report.holdoutAssignments[0]).toMatchObject({ visitorId: VISITOR, orders: 1 });
    expect(report.visitorDays).toMatchObject([{ visitorId: VISITOR, exposed: true }]);
    expect(report.attributions).toMatchObject([{ orderShopifyId: "10", visitorId: VISITOR }]);
    expect(report.attributions[0]!.attributedLines).toMatchObject([{ productId: "101" }]);
    expect(report.recommendationLists).toEqual({
      for: { active: ["202", "203"], previous: ["201"] },
      again: { active: ["101"], previous: ["101"] },
      new: { active: ["202", "203"], previous: ["201"] },
      bought: { active: ["101", "102"], previous: ["101", "102"] },
    });
    expect(Object.keys(report.recommendationLists).sort()).toEqual([...CUSTOMER_LIST_KINDS].sort());
    expect(stored.report).not.toContain(OTHER_VISITOR);
    expect(stored.report).not.toContain("shopper555@example.com");

    // Every stored column of each kind of row is in the report, so a column added later is too.
    const keys = (row: Record<string, unknown> | undefined) => Object.keys(row ?? {}).sort();
    expect(keys(report.customer)).toEqual(columns("Customer"));
    expect(keys(report.orders[0]).filter((k) => k !== "lines")).toEqual(columns("Order"));
    expect(keys(report.orders[0]!.lines[0])).toEqual(columns("OrderLine"));
    expect(keys(report.refundLines[0])).toEqual(columns("RefundLine"));
    expect(keys(report.events[0])).toEqual(columns("Event"));
    expect(keys(report.holdoutAssignments[0]).filter((k) => k !== "experiment")).toEqual(columns("ExperimentVisitor"));
    expect(keys(report.visitorDays[0])).toEqual(columns("VisitorDay"));
    expect(keys(report.attributions[0])).toEqual(columns("OrderAttribution"));
  });

  it("customers/redact then deletes the customer's lists from both runs kept, and no one else's", async () => {
    const other = "777";
    for (const run of ["run-old", "run-new"]) await ingest.redis.hset(runKeyOf(run, "for"), other, "201");
    const redact = { shop_domain: shop, customer: { id: Number(CUSTOMER) }, orders_to_redact: [10] };
    expect((await send("customers/redact", redact)).returnvalue).toEqual({ redacted: CUSTOMER });
    const lists = await readCustomerLists(ingest.redis, ingest.prefix, shop, CUSTOMER);
    for (const kind of CUSTOMER_LIST_KINDS) expect(lists[kind], kind).toEqual({ active: [], previous: [] });
    const others = await readCustomerLists(ingest.redis, ingest.prefix, shop, other);
    expect(others.for).toEqual({ active: ["201"], previous: ["201"] });
  });
});

describe("the admin's list of data requests", () => {
  it("is due 30 calendar days after the shop's day of receipt, across a DST change, and overdue the day after", async () => {
    const t = createSqliteTestDb();
    try {
      const shopId = await seedShop(t.db, "data-request-list.myshopify.com");
      const shop = { id: shopId, timeZone: "America/Los_Angeles" };
      // 23:30 on 9 February in Los Angeles; 30 × 24 h later would already be 12 March there.
      await t.db.dataRequest.create({
        data: {
          shopId,
          customerShopifyId: "555",
          webhookId: "wh-dst",
          report: "{}",
          createdAt: new Date("2026-02-10T07:30:00Z"),
        },
      });
      const [row] = await listDataRequests(t.db, shop, new Date("2026-03-12T06:00:00Z")); // 23:00 on the 11th
      expect(row).toMatchObject({ receivedOn: "2026-02-09", dueOn: "2026-03-11", status: "due", downloadedOn: null });
      const [late] = await listDataRequests(t.db, shop, new Date("2026-03-12T08:00:00Z")); // 01:00 on the 12th
      expect(late?.status).toBe("overdue");
    } finally {
      await t.drop();
    }
  });
});

describe("downloading a data-request report from the admin", () => {
  let stack: AdminStack;
  const OTHER_SHOP = "data-request-other.myshopify.com";
  const ids: Record<string, string> = {};
  const REPORT = JSON.stringify({ customerShopifyId: "555", orders: [{ shopifyId: "10" }] });

  const bearer = async (shop: string, overrides = {}, secret?: string) => ({
    authorization: `Bearer ${await mintSessionToken(shop, overrides, secret)}`,
    "user-agent": DESKTOP_USER_AGENT,
  });

  beforeAll(async () => {
    stack = await startAdminStack({
      browser: false,
      async seed({ t, shop, shopId }) {
        const other = await seedShop(t.db, OTHER_SHOP);
        for (const [domain, id] of [
          [shop, shopId],
          [OTHER_SHOP, other],
        ] as const) {
          const row = await t.db.dataRequest.create({
            data: { shopId: id, customerShopifyId: "555", webhookId: `wh-${domain}`, report: REPORT },
          });
          ids[domain] = row.id;
        }
      },
    });
  });
  afterAll(() => stack?.stop());

  const url = (id: string) => `${stack.origin}/app/data-requests/${id}/download`;

  it("sends the session's shop its report as a JSON attachment and marks it downloaded", async () => {
    const response = await fetch(url(ids[stack.shop]!), { headers: await bearer(stack.shop) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="affinity-customer-555-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(await response.json()).toEqual(JSON.parse(REPORT));
    const row = await stack.t.db.dataRequest.findUniqueOrThrow({ where: { id: ids[stack.shop]! } });
    expect(row.downloadedAt).not.toBeNull();
  });

  it("answers 404 for another shop's report, and 401 without a valid session token", async () => {
    const other = await fetch(url(ids[OTHER_SHOP]!), { headers: await bearer(stack.shop) });
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain("orders");
    const now = Math.floor(Date.now() / 1000);
    for (const [why, headers] of Object.entries({
      expired: await bearer(stack.shop, { exp: now - 120, nbf: now - 3600, iat: now - 3600 }),
      "wrong secret": await bearer(stack.shop, {}, "not-the-app-secret"),
    })) {
      const refused = await fetch(url(ids[stack.shop]!), { headers, redirect: "manual" });
      expect(refused.status, why).toBe(401);
      expect(await refused.text(), why).not.toContain("orders");
    }
    const anonymous = await fetch(url(ids[stack.shop]!), {
      headers: { "user-agent": DESKTOP_USER_AGENT },
      redirect: "manual",
    });
    expect(anonymous.status).not.toBe(200);
    expect(await anonymous.text()).not.toContain('"orders"');
    const otherRow = await stack.t.db.dataRequest.findUniqueOrThrow({ where: { id: ids[OTHER_SHOP]! } });
    expect(otherRow.downloadedAt).toBeNull();
  });
});
