import type { Db } from "../db.server";

/**
 * customers/data_request: everything Affinity stores about one customer, recorded so the merchant
 * can hand it over. We hold no names or contact details, only ids and purchase history.
 */
export async function recordCustomerDataRequest(
  db: Db,
  shopId: string,
  customerShopifyId: string,
  webhookId: string,
): Promise<{ orders: number }> {
  const customer = await db.customer.findUnique({
    where: { shopId_shopifyId: { shopId, shopifyId: customerShopifyId } },
    select: { shopifyId: true, shopifyCreatedAt: true, shopifyUpdatedAt: true },
  });
  const orders = await db.order.findMany({
    where: { shopId, customerShopifyId },
    orderBy: { processedAt: "asc" },
    select: {
      shopifyId: true,
      name: true,
      processedAt: true,
      currency: true,
      totalPrice: true,
      cancelledAt: true,
      lines: {
        select: {
          productShopifyId: true,
          variantShopifyId: true,
          title: true,
          quantity: true,
          price: true,
          properties: true,
        },
      },
    },
  });
  // Storefront events made while logged in (views, clicks, checkouts), without visitor ids.
  const events = await db.event.findMany({
    where: { shopId, customerShopifyId },
    orderBy: { occurredAt: "asc" },
    select: { type: true, productShopifyId: true, orderShopifyId: true, occurredAt: true },
  });
  const report = { customerShopifyId, generatedAt: new Date().toISOString(), customer, orders, events };
  await db.dataRequest.upsert({
    where: { webhookId },
    create: { shopId, customerShopifyId, webhookId, report: JSON.stringify(report) },
    update: {},
  });
  return { orders: orders.length };
}

/**
 * customers/redact: removes the customer's row and their link to orders (the orders themselves
 * are the merchant's sales record), their storefront events and earlier data-request reports, and
 * asks for retraining so no model keeps learning from them.
 */
export async function redactCustomer(db: Db, shopId: string, customerShopifyId: string, now = new Date()) {
  await db.$transaction([
    db.customer.deleteMany({ where: { shopId, shopifyId: customerShopifyId } }),
    db.order.updateMany({ where: { shopId, customerShopifyId }, data: { customerShopifyId: null } }),
    db.dataRequest.deleteMany({ where: { shopId, customerShopifyId } }),
    // Storefront events they made while logged in; the daily rollups keep only counts.
    db.event.deleteMany({ where: { shopId, customerShopifyId } }),
    db.shop.update({ where: { id: shopId }, data: { retrainRequestedAt: now } }),
  ]);
}

/** shop/redact (48 hours after uninstall): every row of the shop, sessions included. */
export async function redactShop(db: Db, domain: string): Promise<void> {
  await db.$transaction([
    db.session.deleteMany({ where: { shop: domain } }),
    db.webhookDeadLetter.deleteMany({ where: { shopDomain: domain } }),
    // Catalog, orders, customers, backfills and reports go with the shop (onDelete: Cascade).
    db.shop.deleteMany({ where: { domain } }),
  ]);
}
