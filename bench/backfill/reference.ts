/**
 * The reference beside `backfill.order_lines_per_s`: the same orders and order lines written with
 * no app code in between, into a freshly migrated database of the same kind (same tables, same
 * indexes). PostgreSQL: plain multi-row INSERTs with pg, 1,000 rows a statement, a transaction per
 * 5,000 lines; SQLite: one prepared INSERT per row with better-sqlite3, a transaction per 5,000
 * lines. No upsert, no parsing, no download: the floor of what writing these rows costs here.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import type { HistoryOrder } from "../../app/lib/model/types";

const ROWS_PER_STATEMENT = 1_000;
const LINES_PER_TRANSACTION = 5_000;

interface Rows {
  orders: unknown[][];
  lines: unknown[][];
}

const ORDER_COLUMNS = [
  "id",
  "shopId",
  "shopifyId",
  "name",
  "customerShopifyId",
  "currency",
  "subtotalPrice",
  "totalPrice",
  "financialStatus",
  "sourceName",
  "processedAt",
  "shopifyCreatedAt",
  "shopifyUpdatedAt",
  "updatedAt",
];
const LINE_COLUMNS = [
  "id",
  "shopId",
  "orderId",
  "shopifyId",
  "productShopifyId",
  "variantShopifyId",
  "quantity",
  "price",
];

/** One order's rows, with the same values the backfill stores for it (test/helpers/bigshop-bulk.ts). */
function rowsOf(shopId: string, order: HistoryOrder, now: string, into: Rows) {
  const id = randomUUID();
  const at = order.at.toISOString();
  const total = order.items.reduce((sum, i) => sum + i.quantity * i.price, 0).toFixed(2);
  into.orders.push([
    id,
    shopId,
    order.orderId,
    `#${order.orderId}`,
    order.customerId,
    "GBP",
    total,
    total,
    "paid",
    "web",
    at,
    at,
    at,
    now,
  ]);
  order.items.forEach((item, index) => {
    into.lines.push([
      randomUUID(),
      shopId,
      id,
      String(Number(order.orderId) * 1_000 + index),
      item.productId,
      String(Number(item.productId) * 10 + 1),
      item.quantity,
      item.price.toFixed(2),
    ]);
  });
}

/** Groups the orders into transactions of about LINES_PER_TRANSACTION lines. */
async function inTransactions(orders: Iterable<HistoryOrder>, shopId: string, write: (rows: Rows) => Promise<void>) {
  const now = new Date().toISOString();
  let rows: Rows = { orders: [], lines: [] };
  for (const order of orders) {
    rowsOf(shopId, order, now, rows);
    if (rows.lines.length >= LINES_PER_TRANSACTION) {
      await write(rows);
      rows = { orders: [], lines: [] };
    }
  }
  if (rows.orders.length > 0) await write(rows);
}

function insertSql(table: string, columns: string[], count: number): string {
  const values = Array.from(
    { length: count },
    (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(", ")})`,
  );
  return `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${values.join(", ")}`;
}

/** Seconds to write the orders' rows into the PostgreSQL schema at `url` with plain multi-row INSERTs. */
export async function referencePostgres(url: string, shopId: string, orders: Iterable<HistoryOrder>): Promise<number> {
  const schema = new URL(url).searchParams.get("schema") ?? "public";
  const client = new pg.Client({ connectionString: url.replace(/\?.*$/, "") });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const part = rows.slice(i, i + ROWS_PER_STATEMENT);
      await client.query(insertSql(table, columns, part.length), part.flat());
    }
  };
  const started = performance.now();
  await inTransactions(orders, shopId, async (rows) => {
    await client.query("BEGIN");
    await insert("Order", ORDER_COLUMNS, rows.orders);
    await insert("OrderLine", LINE_COLUMNS, rows.lines);
    await client.query("COMMIT");
  });
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return seconds;
}

/** Seconds to write the orders' rows into the SQLite file at `url` with prepared INSERTs. */
export async function referenceSqlite(url: string, shopId: string, orders: Iterable<HistoryOrder>): Promise<number> {
  const db = new Database(url.replace(/^file:/, ""));
  db.pragma("journal_mode = WAL"); // as the app sets it (prisma-adapter.ts)
  db.pragma("synchronous = NORMAL");
  const statement = (table: string, columns: string[]) =>
    db.prepare(
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
  const order = statement("Order", ORDER_COLUMNS);
  const line = statement("OrderLine", LINE_COLUMNS);
  const write = db.transaction((rows: Rows) => {
    for (const r of rows.orders) order.run(...r);
    for (const r of rows.lines) line.run(...r);
  });
  const started = performance.now();
  await inTransactions(orders, shopId, async (rows) => write(rows));
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return seconds;
}
