import { z } from "zod";
import type { Db } from "../database/client.server";
import { productSummaries } from "./products.server";

export interface TopProduct {
  id: string;
  title: string;
  imageUrl: string | null;
  /** Orders in the range with an attributed line of this product. */
  orders: number;
  revenue: number;
}

// OrderAttribution.attributedLines, as order-attribution.server.ts writes it.
const attributedLines = z.array(
  z.object({ productId: z.string().nullable(), revenue: z.union([z.string(), z.number()]) }).loose(),
);

/**
 * The recommended products that earned the most in the range, from the attribution rows of
 * orders that earned anything (one row per such order, never raw events). Titles come from the
 * stored catalog; a product deleted since keeps its id as its name.
 */
export async function topProducts(db: Db, shopId: string, from: Date, to: Date, limit = 10): Promise<TopProduct[]> {
  const rows = await db.orderAttribution.findMany({
    where: { shopId, day: { gte: from, lte: to }, attributedRevenue: { gt: 0 } },
    select: { attributedLines: true },
  });
  const totals = new Map<string, { orders: number; revenue: number }>();
  for (const row of rows) {
    let lines: z.infer<typeof attributedLines> = [];
    try {
      lines = attributedLines.parse(JSON.parse(row.attributedLines));
    } catch {
      continue;
    }
    const counted = new Set<string>();
    for (const line of lines) {
      if (!line.productId) continue;
      const total = totals.get(line.productId) ?? { orders: 0, revenue: 0 };
      // Two lines of one product (two variants) are one order of it.
      if (!counted.has(line.productId)) total.orders += 1;
      counted.add(line.productId);
      total.revenue += Number(line.revenue);
      totals.set(line.productId, total);
    }
  }
  const best = [...totals.entries()].sort((a, b) => b[1].revenue - a[1].revenue).slice(0, limit);
  const summaries = await productSummaries(
    db,
    shopId,
    best.map(([id]) => id),
  );
  return best.map(([id, total]) => ({
    id,
    title: summaries[id]?.title ?? `Product ${id}`,
    imageUrl: summaries[id]?.imageUrl ?? null,
    ...total,
  }));
}
