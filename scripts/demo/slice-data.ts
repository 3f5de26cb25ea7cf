import path from "node:path";
import { readCsvGz } from "./csv-file";

/** Where the shipped slice of the UCI data lives, relative to the project root. */
export const DEMO_DATA_DIR = "data/demo";
export const SLICE_FILES = { orders: "online-retail-slice.csv.gz", products: "online-retail-products.csv.gz" };
export const ORDER_COLUMNS = [
  "customer_id",
  "order_id",
  "product_id",
  "product_title",
  "quantity",
  "unit_price",
  "timestamp_iso",
] as const;
export const PRODUCT_COLUMNS = ["product_id", "title", "median_unit_price", "n_orders", "first_seen", "last_seen"];

/** `full` replays the whole shipped slice; `tiny` a few customers of it, for tests. */
export const SLICE_NAMES = ["full", "tiny"] as const;
export type SliceName = (typeof SLICE_NAMES)[number];

export interface DemoProduct {
  /** The shop's stock code, e.g. "85123A"; it becomes the variant's SKU. */
  code: string;
  title: string;
  price: number;
  /** UK local time, no zone, as in the data set. */
  firstSeen: string;
}

export interface DemoOrderLine {
  code: string;
  title: string;
  quantity: number;
  unitPrice: number;
}

export interface DemoOrder {
  invoice: string;
  customer: string;
  /** UK local time, no zone, as in the data set. */
  at: string;
  lines: DemoOrderLine[];
}

export interface DemoShopData {
  products: DemoProduct[];
  /** In time order. */
  orders: DemoOrder[];
}

/** How many customers the tiny slice keeps: enough orders to train a network, seconds to ingest. */
const TINY_CUSTOMERS = 12;

export function loadDemoSlice(name: SliceName, dir = DEMO_DATA_DIR): DemoShopData {
  const orders = groupOrders(readCsvGz(path.join(dir, SLICE_FILES.orders)));
  const kept = name === "tiny" ? tinyOrders(orders) : orders;
  const used = new Set(kept.flatMap((o) => o.lines.map((l) => l.code)));
  const products = readCsvGz(path.join(dir, SLICE_FILES.products))
    .filter((p) => used.has(p.product_id!))
    .map((p) => ({
      code: p.product_id!,
      title: p.title!,
      price: Number(p.median_unit_price),
      firstSeen: p.first_seen!,
    }));
  return { products, orders: kept };
}

function groupOrders(lines: Array<Record<string, string>>): DemoOrder[] {
  const byInvoice = new Map<string, DemoOrder>();
  for (const l of lines) {
    const invoice = l.order_id!;
    let order = byInvoice.get(invoice);
    if (!order) {
      order = { invoice, customer: l.customer_id!, at: l.timestamp_iso!, lines: [] };
      byInvoice.set(invoice, order);
    }
    order.lines.push({
      code: l.product_id!,
      title: l.product_title!,
      quantity: Number(l.quantity),
      unitPrice: Number(l.unit_price),
    });
  }
  // ISO local timestamps sort as text; the invoice number breaks ties, as the shop issued them.
  return [...byInvoice.values()].sort((a, b) => a.at.localeCompare(b.at) || a.invoice.localeCompare(b.invoice));
}

/** The first customers (by id) with two to six orders: every one of them gives a training example. */
function tinyOrders(orders: DemoOrder[]): DemoOrder[] {
  const counts = new Map<string, number>();
  for (const o of orders) counts.set(o.customer, (counts.get(o.customer) ?? 0) + 1);
  const chosen = new Set(
    [...counts]
      .filter(([, n]) => n >= 2 && n <= 6)
      .map(([customer]) => customer)
      .sort()
      .slice(0, TINY_CUSTOMERS),
  );
  return orders.filter((o) => chosen.has(o.customer));
}
