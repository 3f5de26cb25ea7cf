import type { Db } from "../database/client.server";
import { createUnlessTaken } from "../database/prisma-errors";
import type { ApplyOutcome, ProductRecord, VariantRecord } from "./records";

function productColumns(record: ProductRecord) {
  return {
    title: record.title,
    handle: record.handle,
    productType: record.productType,
    vendor: record.vendor,
    tags: record.tags.join(", "),
    status: record.status,
    isGiftCard: record.isGiftCard,
    publishedAt: record.publishedAt,
    imageUrl: record.image?.url ?? null,
    imageWidth: record.image?.width ?? null,
    imageHeight: record.image?.height ?? null,
    imageAlt: record.image?.alt ?? null,
    shopifyCreatedAt: record.createdAt,
    shopifyUpdatedAt: record.updatedAt,
  };
}

/**
 * Stores a product version unless a newer one is already stored, or the product was deleted
 * (Shopify never reuses ids, so a delete is final). Deliveries arrive out of order and more than
 * once; the update is conditional on updated_at inside the statement itself, which PostgreSQL
 * re-checks under the row lock, so two workers racing on one product cannot store the older one.
 */
export async function applyProduct(db: Db, shopId: string, record: ProductRecord): Promise<ApplyOutcome> {
  const existing = await db.product.findUnique({
    where: { shopId_shopifyId: { shopId, shopifyId: record.shopifyId } },
    select: { id: true },
  });
  // The common case: one nested create, atomic on its own, with no interactive transaction.
  const created =
    !existing &&
    (await createUnlessTaken(() =>
      db.product.create({
        data: {
          shopId,
          shopifyId: record.shopifyId,
          ...productColumns(record),
          variants: { createMany: { data: record.variants.map((v) => ({ shopId, ...variantColumns(v) })) } },
        },
      }),
    ));
  if (created) return "created";
  // Known, or created by another worker meanwhile: apply ours as an update, ordered by updated_at.
  return db.$transaction(async (tx) => {
    const id =
      existing?.id ??
      (
        await tx.product.findUniqueOrThrow({
          where: { shopId_shopifyId: { shopId, shopifyId: record.shopifyId } },
          select: { id: true },
        })
      ).id;
    const { count } = await tx.product.updateMany({
      where: { id, deletedAt: null, shopifyUpdatedAt: { lt: record.updatedAt } },
      data: productColumns(record),
    });
    if (count === 0) return "stale";
    await replaceVariants(tx, shopId, id, record);
    return "updated";
  });
}

function variantColumns(v: VariantRecord) {
  return {
    shopifyId: v.shopifyId,
    title: v.title,
    sku: v.sku,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    position: v.position,
    available: v.available,
    inventoryQuantity: v.inventoryQuantity,
  };
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

async function replaceVariants(tx: Tx, shopId: string, productId: string, record: ProductRecord) {
  const keep = record.variants.map((v) => v.shopifyId);
  await tx.variant.deleteMany({ where: { productId, shopifyId: { notIn: keep } } });
  for (const v of record.variants) {
    const data = { ...variantColumns(v), productId };
    await tx.variant.upsert({
      where: { shopId_shopifyId: { shopId, shopifyId: v.shopifyId } },
      create: { shopId, ...data },
      update: data,
    });
  }
}

/**
 * Tombstones a product and drops its variants. A tombstone is also written for a product we never
 * saw, so an older create or update that arrives after the delete cannot bring it back.
 */
export async function deleteProduct(db: Db, shopId: string, shopifyId: string, deletedAt: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const existing = await tx.product.findUnique({ where: { shopId_shopifyId: { shopId, shopifyId } } });
    if (existing?.deletedAt) return;
    if (existing) {
      await tx.product.update({ where: { id: existing.id }, data: { deletedAt } });
      await tx.variant.deleteMany({ where: { productId: existing.id } });
      return;
    }
    await tx.product.create({
      data: { shopId, shopifyId, title: "", handle: "", status: "archived", shopifyUpdatedAt: deletedAt, deletedAt },
    });
  });
}
