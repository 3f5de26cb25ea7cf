import type { Db } from "../database/client.server";
import { requestRetrain } from "../shops/training-state.server";
import { deleteShopRow } from "../shops/registry.server";

/** The customer's model-derived lists per kind (active and previous run), read from Redis. */
export type CustomerLists = Record<string, { active: string[]; previous: string[] }>;

/**
 * Everything Affinity stores about one customer: their row, orders (with lines and refunded
 * quantities), the storefront events they made while logged in, the holdout assignments and
 * visitor days of the browsers those events came from, each order's attribution, and the
 * recommendation lists and churn predictions computed for them. We hold no names or contact details. Internal row ids
 * are left out; every other stored column is in (test/integration/data-requests.test.ts).
 */
export async function customerReport(db: Db, shopId: string, customerShopifyId: string, lists: CustomerLists) {
  const internal = { id: true, shopId: true } as const;
  const customer = await db.customer.findUnique({
    where: { shopId_shopifyId: { shopId, shopifyId: customerShopifyId } },
    omit: { ...internal, createdAt: true, updatedAt: true },
  });
  const orders = await db.order.findMany({
    where: { shopId, customerShopifyId },
    orderBy: { processedAt: "asc" },
    omit: internal,
    include: { lines: { omit: { ...internal, orderId: true } } },
  });
  const orderIds = orders.map((o) => o.shopifyId);
  const events = await db.event.findMany({
    where: { shopId, customerShopifyId },
    orderBy: { occurredAt: "asc" },
    omit: internal,
  });
  const attributions = await db.orderAttribution.findMany({
    where: { shopId, orderShopifyId: { in: orderIds } },
    omit: { shopId: true, version: true },
  });
  // The browsers (visitor ids) the customer used while logged in or bought from.
  const visitorIds = [
    ...new Set([...events.map((e) => e.visitorId), ...attributions.flatMap((a) => (a.visitorId ? [a.visitorId] : []))]),
  ];
  const [refundLines, holdoutAssignments, visitorDays, churnPredictions, writtenToShopify] = await Promise.all([
    db.refundLine.findMany({ where: { shopId, orderShopifyId: { in: orderIds } }, omit: { shopId: true } }),
    db.experimentVisitor.findMany({
      where: { visitorId: { in: visitorIds }, experiment: { shopId } },
      include: { experiment: { select: { holdoutPercent: true, startedAt: true, endedAt: true } } },
      orderBy: { firstSeenAt: "asc" },
    }),
    db.visitorDay.findMany({ where: { shopId, visitorId: { in: visitorIds } }, omit: { shopId: true } }),
    // The churn risk, segment and expected next order computed for them (issue 21).
    db.churnPrediction.findMany({ where: { shopId, customerShopifyId }, omit: { shopId: true, runId: true } }),
    // The segment tag and metafields Affinity wrote to the customer in Shopify, when the merchant opted in.
    db.customerInsightWrite.findMany({ where: { shopId, customerShopifyId }, omit: { shopId: true } }),
  ]);
  return {
    customerShopifyId,
    generatedAt: new Date().toISOString(),
    customer,
    orders,
    refundLines,
    events,
    holdoutAssignments,
    visitorDays,
    attributions: attributions.map((a) => ({ ...a, attributedLines: JSON.parse(a.attributedLines) as unknown })),
    recommendationLists: lists,
    churnPredictions,
    writtenToShopify,
  };
}

/**
 * customers/data_request: the report is built when Shopify asks and stored, so the merchant can
 * download it from the admin (Data requests) and hand it over within Shopify's 30 days.
 */
export async function recordCustomerDataRequest(
  db: Db,
  shopId: string,
  customerShopifyId: string,
  webhookId: string,
  lists: CustomerLists = {},
): Promise<{ orders: number }> {
  const report = await customerReport(db, shopId, customerShopifyId, lists);
  await db.dataRequest.upsert({
    where: { webhookId },
    create: { shopId, customerShopifyId, webhookId, report: JSON.stringify(report) },
    update: {},
  });
  return { orders: report.orders.length };
}

/**
 * customers/redact: removes the customer's row and their link to orders (the orders themselves
 * are the merchant's sales record), their storefront events, churn predictions and earlier data-request reports, and
 * asks for retraining so no model keeps learning from them. What Affinity wrote to the customer in
 * Shopify (tag, metafields) is marked redacted; the caller queues its removal at once
 * (app/lib/insights/redact.server.ts), and the next insight write would also remove it.
 */
export async function redactCustomer(db: Db, shopId: string, customerShopifyId: string, now = new Date()) {
  await db.$transaction([
    db.customer.deleteMany({ where: { shopId, shopifyId: customerShopifyId } }),
    db.order.updateMany({ where: { shopId, customerShopifyId }, data: { customerShopifyId: null } }),
    db.dataRequest.deleteMany({ where: { shopId, customerShopifyId } }),
    // Storefront events they made while logged in; the daily rollups keep only counts.
    db.event.deleteMany({ where: { shopId, customerShopifyId } }),
    db.churnPrediction.deleteMany({ where: { shopId, customerShopifyId } }),
    // The tag and metafields Affinity wrote to them in Shopify: the queued removal (or else the
    // next insight write) takes them off and then forgets the customer. A customer Shopify
    // already deleted has nothing left to remove.
    db.customerInsightWrite.deleteMany({ where: { shopId, customerShopifyId, gone: true } }),
    db.customerInsightWrite.updateMany({ where: { shopId, customerShopifyId }, data: { redacted: true } }),
    requestRetrain(db, shopId, now),
  ]);
}

/** shop/redact (48 hours after uninstall): every row of the shop, sessions included. */
export async function redactShop(db: Db, domain: string): Promise<void> {
  await db.$transaction([
    db.session.deleteMany({ where: { shop: domain } }),
    db.webhookDeadLetter.deleteMany({ where: { shopDomain: domain } }),
    // Catalog, orders, customers, backfills and reports go with the shop (onDelete: Cascade).
    deleteShopRow(db, domain),
  ]);
}
