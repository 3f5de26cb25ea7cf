import type { CatalogItem, HistoryOrder } from "../../../app/lib/model/types";

const DAY = 86_400_000;
const start = Date.UTC(2024, 0, 1);

/** An order `day` days after 2024-01-01 with one unit of each product at price 1. */
export function order(orderId: string, customerId: string, day: number, productIds: string[]): HistoryOrder {
  return {
    orderId,
    customerId,
    at: new Date(start + day * DAY),
    items: productIds.map((productId) => ({ productId, quantity: 1, price: 1 })),
  };
}

export const catalogOf = (ids: string[]): CatalogItem[] => ids.map((productId) => ({ productId, title: productId }));

/**
 * A small shop with known answers: "A-buyers" buy A and then B; "C-buyers" buy C then D;
 * repeat buyers reorder their own staple (R1/R2) every week. Noise items N1..N3 pad baskets.
 */
export function syntheticShop(customersPerKind = 12): { orders: HistoryOrder[]; catalog: CatalogItem[] } {
  const orders: HistoryOrder[] = [];
  let n = 0;
  const add = (c: string, day: number, items: string[]) => orders.push(order(`o${n++}`, c, day, items));
  for (let i = 0; i < customersPerKind; i++) {
    const noise = `N${(i % 3) + 1}`;
    add(`a${i}`, i, ["A", noise]);
    add(`a${i}`, i + 3, ["B"]);
    add(`c${i}`, i, ["C"]);
    add(`c${i}`, i + 4, ["D", noise]);
    const staple = i % 2 === 0 ? "R1" : "R2";
    for (let w = 0; w < 4; w++) add(`r${i}`, i + 7 * w, [staple]);
  }
  return { orders, catalog: catalogOf(["A", "B", "C", "D", "R1", "R2", "N1", "N2", "N3", "NEW"]) };
}
