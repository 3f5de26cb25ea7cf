import { Prisma } from "@prisma/client";
import type { Tx } from "../database/client.server";
import { runRead } from "../database/pg-direct.server";
import { inIds, type ColumnWiseEngine } from "../sync/unnest-columns";
import type { StoredContribution } from "./contribution";

/** A refunded quantity of one order line (several rows per line when refunded in parts). */
export interface RefundedLine {
  orderShopifyId: string;
  lineShopifyId: string;
  quantity: number;
}

/** An order's stored attribution row, as the batch reads it back. */
export type StoredAttribution = StoredContribution & { orderShopifyId: string };

/**
 * What a batch's orders already have stored: their refunded lines and their attribution rows,
 * one read each. On PostgreSQL (a client createDb made) the reads go on the batch transaction's
 * own connection (pg-direct.server.ts), as its writes do: through Prisma these two reads cost
 * about as much CPU as the rest of the batch's attribution (docs/decisions/014). Elsewhere they
 * are Prisma's findMany; a test holds both paths to one result.
 */
export async function readStoredAttribution(
  tx: Tx,
  shopId: string,
  ids: string[],
  engine?: ColumnWiseEngine,
): Promise<{ refunds: RefundedLine[]; stored: StoredAttribution[] }> {
  if (engine !== "postgres") {
    return {
      refunds: await tx.refundLine.findMany({
        where: { shopId, orderShopifyId: { in: ids } },
        select: { orderShopifyId: true, lineShopifyId: true, quantity: true },
      }),
      stored: await tx.orderAttribution.findMany({ where: { shopId, orderShopifyId: { in: ids } } }),
    };
  }
  const refunds = await runRead<RefundedLine[]>(
    tx,
    Prisma.sql`SELECT "orderShopifyId", "lineShopifyId", "quantity" FROM "RefundLine"
      WHERE "shopId" = ${shopId} AND ${inIds(engine, `"orderShopifyId"`, ids)}`,
  );
  const rows = await runRead<Array<Omit<StoredAttribution, "day"> & { day: Date | string }>>(
    tx,
    Prisma.sql`SELECT "orderShopifyId", "day", "visitorId", "experimentId", "arm", "counted",
      "revenue"::text AS "revenue", "attributedRevenue"::text AS "attributedRevenue", "attributedLines", "version"
      FROM "OrderAttribution" WHERE "shopId" = ${shopId} AND ${inIds(engine, `"orderShopifyId"`, ids)}`,
  );
  return { refunds, stored: rows.map((r) => ({ ...r, day: new Date(r.day) })) };
}
