import type { StorefrontProduct } from "../../dev/storefront/proxy-liquid";
import type { Redis } from "ioredis";
import { assignArm, type Arm } from "../../app/lib/conversion/assignment";
import { currentExperiment } from "../../app/lib/conversion/experiments.server";
import type { Db } from "../../app/lib/database/client.server";
import { shopSettings } from "../../app/lib/shops/stored-settings.server";

/** What the preview and the simulated shoppers need to know of the demo shop, read from its database. */
export interface ShopLookups {
  db: Db;
  redis: Redis;
  /** The app's Redis key prefix, so the experiment read here is the one the app serves. */
  prefix: string;
  shop: string;
}

export interface DemoProductRef {
  id: string;
  handle: string;
  title: string;
  price: string;
  variantId: string;
}

async function shopId(ctx: ShopLookups): Promise<string> {
  return (await ctx.db.shop.findUniqueOrThrow({ where: { domain: ctx.shop }, select: { id: true } })).id;
}

/** Customers with the most orders first: they have a history the model can use. */
export async function customersWithOrders(
  ctx: ShopLookups,
  count: number,
): Promise<Array<{ id: string; orders: number }>> {
  const groups = await ctx.db.order.groupBy({
    by: ["customerShopifyId"],
    where: { shopId: await shopId(ctx), customerShopifyId: { not: null } },
    _count: { _all: true },
    orderBy: [{ _count: { customerShopifyId: "desc" } }, { customerShopifyId: "asc" }],
    take: count,
  });
  return groups.map((g) => ({ id: g.customerShopifyId!, orders: g._count._all }));
}

/** The best-selling active products (by order lines), a stable order for ties. */
export async function popularProducts(ctx: ShopLookups, count: number): Promise<DemoProductRef[]> {
  const id = await shopId(ctx);
  const sold = await ctx.db.orderLine.groupBy({
    by: ["productShopifyId"],
    where: { shopId: id, productShopifyId: { not: null } },
    _count: { _all: true },
    orderBy: [{ _count: { productShopifyId: "desc" } }, { productShopifyId: "asc" }],
    take: count * 2,
  });
  const ids = sold.map((s) => s.productShopifyId!);
  const products = await ctx.db.product.findMany({
    where: { shopId: id, shopifyId: { in: ids }, deletedAt: null },
    include: { variants: { orderBy: { position: "asc" }, take: 1 } },
  });
  const byId = new Map(products.map((p) => [p.shopifyId, p]));
  return ids
    .map((pid) => byId.get(pid))
    .filter((p) => p !== undefined)
    .slice(0, count)
    .map(toRef);
}

export async function productByHandle(ctx: ShopLookups, handle: string): Promise<DemoProductRef | null> {
  const product = await ctx.db.product.findFirst({
    where: { shopId: await shopId(ctx), handle, deletedAt: null },
    include: { variants: { orderBy: { position: "asc" }, take: 1 } },
  });
  return product ? toRef(product) : null;
}

/** A product as the demo's one market and language show it, for the App Proxy's Liquid answers. */
export async function storefrontProductByHandle(
  ctx: ShopLookups,
  handle: string,
): Promise<StorefrontProduct | undefined> {
  const p = await ctx.db.product.findFirst({
    where: { shopId: await shopId(ctx), handle, deletedAt: null, status: "active" },
    include: { variants: { orderBy: { position: "asc" } } },
  });
  const variant = p && (p.variants.find((v) => v.available) ?? p.variants[0]);
  if (!p || !variant) return undefined;
  return {
    id: p.shopifyId,
    handle: p.handle,
    title: p.title,
    variantId: variant.shopifyId,
    price: Number(variant.price),
    compareAtPrice: variant.compareAtPrice === null ? null : Number(variant.compareAtPrice),
    available: p.variants.some((v) => v.available),
    image: p.imageUrl
      ? { url: p.imageUrl, width: p.imageWidth ?? 600, height: p.imageHeight ?? 600, alt: p.imageAlt ?? p.title }
      : null,
  };
}

interface ProductRow {
  shopifyId: string;
  handle: string;
  title: string;
  variants: Array<{ shopifyId: string; price: unknown }>;
}

function toRef(p: ProductRow): DemoProductRef {
  const variant = p.variants[0];
  return {
    id: p.shopifyId,
    handle: p.handle,
    title: p.title,
    price: String(variant?.price ?? "0"),
    variantId: variant?.shopifyId ?? "",
  };
}

export interface RunningExperiment {
  id: string;
  holdoutPercent: number;
  armOf(visitorId: string): Arm;
}

/** The experiment the app assigns visitors in, started if none runs yet, as the app would. */
export async function runningExperiment(ctx: ShopLookups): Promise<RunningExperiment> {
  const settings = await shopSettings(ctx.db, ctx.shop);
  const ref = await currentExperiment(ctx, ctx.shop, settings.holdoutPercent);
  return {
    id: ref.id,
    holdoutPercent: ref.holdoutPercent,
    armOf: (visitorId) =>
      assignArm({ shop: ctx.shop, experimentId: ref.id, visitorId, holdoutPercent: ref.holdoutPercent }),
  };
}
