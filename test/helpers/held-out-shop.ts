import type { HeldOut } from "../../bench/live-eval";
import type { DemoOrder } from "../../scripts/demo/slice-data";

/** One order of one product, its invoice drawn from the customer and the moment. */
export const order = (customer: string, at: string, code = "A"): DemoOrder => ({
  invoice: `${customer}${at.replace(/\D/g, "")}`,
  customer,
  at,
  lines: [{ code, title: code, quantity: 1, unitPrice: 1 }],
});

/** What the live bench holds out of a shop, given each part; a product is first seen at its first replayed order. */
export function heldOutShop(replayed: DemoOrder[], last: DemoOrder[], firstVisits: DemoOrder[]): HeldOut {
  const firstSeen = new Map<string, string>();
  for (const o of replayed) for (const l of o.lines) if (!firstSeen.has(l.code)) firstSeen.set(l.code, o.at);
  const products = [...firstSeen].map(([code, at]) => ({ code, title: code, price: 1, firstSeen: at }));
  return {
    replayed: { products, orders: replayed },
    last: new Map(last.map((o) => [o.customer, o])),
    firstVisits: new Map(firstVisits.map((o) => [o.customer, o])),
  };
}
