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
  const data = loadShopCsv(path.join(dir, SLICE_FILES.orders), path.join(dir, SLICE_FILES.products));
  return name === "tiny" ? withProductsUsed(tinyOrders(data.orders), data.products) : data;
}

/**
 * A shop from the data set's two files (ORDER_COLUMNS and PRODUCT_COLUMNS): the shipped slice, or
 * the whole UCI shop in ../shared/data for the live benchmark. Only products that sold are kept.
 */
export function loadShopCsv(ordersFile: string, productsFile: string): DemoShopData {
  const orders = groupOrders(readCsvGz(ordersFile));
  const products = readCsvGz(productsFile).map((p) => ({
    code: p.product_id!,
    title: p.title!,
    price: Number(p.median_unit_price),
    firstSeen: p.first_seen!,
  }));
  return withProductsUsed(orders, products);
}

function withProductsUsed(orders: DemoOrder[], products: DemoProduct[]): DemoShopData {
  const used = new Set(orders.flatMap((o) => o.lines.map((l) => l.code)));
  return { products: products.filter((p) => used.has(p.code)), orders };
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

/**
 * The customers with three to eight orders who bought the fewest distinct products (ties by id):
 * every one gives training examples, and the whole replay is about a hundred webhooks.
 */
function tinyOrders(orders: DemoOrder[]): DemoOrder[] {
  const customers = new Map<string, { orders: number; products: Set<string> }>();
  for (const o of orders) {
    const c = customers.get(o.customer) ?? { orders: 0, products: new Set<string>() };
    c.orders += 1;
    for (const line of o.lines) c.products.add(line.code);
    customers.set(o.customer, c);
  }
  const chosen = new Set(
    [...customers]
      .filter(([, c]) => c.orders >= 3 && c.orders <= 8)
      .sort(([a, x], [b, y]) => x.products.size - y.products.size || a.localeCompare(b))
      .slice(0, TINY_CUSTOMERS)
      .map(([customer]) => customer),
  );
  return orders.filter((o) => chosen.has(o.customer));
}
