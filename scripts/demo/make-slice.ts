/**
 * Makes the demo's shop from the shared UCI "Online Retail" data (../shared/data): a seeded
 * random sample of customers with their *complete* order histories, so repeat buying and
 * co-occurrence look as they do in the whole shop, and the catalog rows of the products they
 * bought. Run once by a maintainer; the output is committed under data/demo/.
 *
 *   npx tsx scripts/demo/make-slice.ts [--from ../shared/data] [--customers 1000] [--seed 1]
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { readCsvGz, writeCsvGz } from "./csv-file";
import { DEMO_DATA_DIR, ORDER_COLUMNS, PRODUCT_COLUMNS, SLICE_FILES } from "./slice-data";

const options = z
  .object({
    from: z.string().default("../shared/data"),
    customers: z.coerce.number().int().min(10).default(1000),
    seed: z.coerce.number().int().default(1),
  })
  .parse(
    parseArgs({ options: { from: { type: "string" }, customers: { type: "string" }, seed: { type: "string" } } })
      .values,
  );

/** mulberry32: a small seeded generator, so the same seed always picks the same customers. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lines = readCsvGz(path.join(options.from, "online-retail.csv.gz"));
const catalog = readCsvGz(path.join(options.from, "online-retail-products.csv.gz"));
const customers = [...new Set(lines.map((l) => l.customer_id!))].sort();
const random = seeded(options.seed);
for (let i = customers.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [customers[i], customers[j]] = [customers[j]!, customers[i]!];
}
const picked = new Set(customers.slice(0, options.customers));
const slice = lines.filter((l) => picked.has(l.customer_id!));
const productIds = new Set(slice.map((l) => l.product_id!));
const products = catalog.filter((p) => productIds.has(p.product_id!));

mkdirSync(DEMO_DATA_DIR, { recursive: true });
writeCsvGz(path.join(DEMO_DATA_DIR, SLICE_FILES.orders), ORDER_COLUMNS, slice);
writeCsvGz(path.join(DEMO_DATA_DIR, SLICE_FILES.products), PRODUCT_COLUMNS, products);

const orders = new Map<string, string>();
for (const l of slice) orders.set(l.order_id!, l.customer_id!);
const perCustomer = new Map<string, number>();
for (const customer of orders.values()) perCustomer.set(customer, (perCustomer.get(customer) ?? 0) + 1);
const repeaters = [...perCustomer.values()].filter((n) => n >= 2).length;
process.stdout.write(
  `wrote ${slice.length} lines, ${orders.size} orders, ${picked.size} customers (${repeaters} with 2+ orders), ` +
    `${products.length} products to ${DEMO_DATA_DIR}/\n`,
);
