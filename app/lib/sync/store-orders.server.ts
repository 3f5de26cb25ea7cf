import type { Db } from "../database/client.server";
import { createUnlessTaken } from "../database/prisma-errors";
import type { ApplyOutcome, CustomerRecord, OrderLineRecord, OrderRecord } from "./records";

function orderColumns(record: OrderRecord) {
  return {
    name: record.name,
    customerShopifyId: record.customerShopifyId,
    currency: record.currency,
    subtotalPrice: record.subtotalPrice,
    totalPrice: record.totalPrice,
    financialStatus: record.financialStatus,
    sourceName: record.sourceName,
    noteAttributes: JSON.stringify(record.noteAttributes),
    test: record.test,
    processedAt: record.processedAt,
    shopifyCreatedAt: record.createdAt,
    shopifyUpdatedAt: record.updatedAt,
    cancelledAt: record.cancelledAt,
  };
}

function lineColumns(line: OrderLineRecord) {
  return {
    shopifyId: line.shopifyId,
    productShopifyId: line.productShopifyId,
    variantShopifyId: line.variantShopifyId,
    title: line.title,
    quantity: line.quantity,
    price: line.price,
    properties: JSON.stringify(line.properties),
  };
}

/**
 * Stores an order version with its lines unless a newer version is already stored.
 * orders/create, orders/updated and orders/cancelled all carry the whole order, so each is
 * the same idempotent write, ordered by updated_at.
 */
export async function applyOrder(db: Db, shopId: string, record: OrderRecord): Promise<ApplyOutcome> {
  const existing = await db.order.findUnique({
    where: { shopId_shopifyId: { shopId, shopifyId: record.shopifyId } },
    select: { id: true },
  });
  // The common case: one nested create, atomic on its own, with no interactive transaction.
  const created =
    !existing &&
    (await createUnlessTaken(() =>
      db.order.create({
        data: {
          shopId,
          shopifyId: record.shopifyId,
          ...orderColumns(record),
          lines: { createMany: { data: record.lines.map((line) => ({ shopId, ...lineColumns(line) })) } },
        },
      }),
    ));
  if (created) return "created";
  // Known, or created by another worker meanwhile: apply ours as an update, ordered by updated_at.
  return updateOrder(db, shopId, record, existing?.id);
}

async function updateOrder(db: Db, shopId: string, record: OrderRecord, knownId?: string): Promise<ApplyOutcome> {
  return db.$transaction(async (tx) => {
    const id =
      knownId ??
      (
        await tx.order.findUniqueOrThrow({
          where: { shopId_shopifyId: { shopId, shopifyId: record.shopifyId } },
          select: { id: true },
        })
      ).id;
    // Conditional in the statement itself, so a concurrent older version cannot win (see applyProduct).
    const { count } = await tx.order.updateMany({
      where: { id, shopifyUpdatedAt: { lt: record.updatedAt } },
      data: orderColumns(record),
    });
    if (count === 0) return "stale";
    await tx.orderLine.deleteMany({
      where: { orderId: id, shopifyId: { notIn: record.lines.map((l) => l.shopifyId) } },
    });
    for (const line of record.lines) {
      const data = { orderId: id, ...lineColumns(line) };
      await tx.orderLine.upsert({
        where: { shopId_shopifyId: { shopId, shopifyId: line.shopifyId } },
        create: { shopId, ...data },
        update: data,
      });
    }
    return "updated";
  });
}

/** Stores the minimum we keep about a customer, newest version wins. */
export async function applyCustomer(db: Db, shopId: string, record: CustomerRecord): Promise<ApplyOutcome> {
  const data = { shopifyCreatedAt: record.createdAt, shopifyUpdatedAt: record.updatedAt };
  const { count } = await db.customer.updateMany({
    where: { shopId, shopifyId: record.shopifyId, shopifyUpdatedAt: { lt: record.updatedAt } },
    data,
  });
  if (count > 0) return "updated";
  const existing = await db.customer.findUnique({
    where: { shopId_shopifyId: { shopId, shopifyId: record.shopifyId } },
    select: { id: true },
  });
  if (existing) return "stale";
  await db.customer.create({ data: { shopId, shopifyId: record.shopifyId, ...data } });
  return "created";
}
