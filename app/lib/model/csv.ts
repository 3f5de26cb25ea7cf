/**
 * Parses the shared data set's CSV layout (shared/data/README.md) into model inputs. Used by
 * scripts/model-experiment.ts and tests; production reads orders from the database instead.
 */
import type { CatalogItem, HistoryOrder } from "./types";

/** RFC 4180 rows: quoted fields may hold commas and doubled quotes (e.g. `7"" SINGLE`). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

function columns(header: string[] | undefined, names: string[]): number[] {
  return names.map((name) => {
    const at = header?.indexOf(name) ?? -1;
    if (at < 0) throw new Error(`CSV is missing column "${name}"`);
    return at;
  });
}

/** Order lines (customer_id,order_id,product_id,product_title,quantity,unit_price,timestamp_iso). */
export function ordersFromCsv(text: string): HistoryOrder[] {
  const [header, ...rows] = parseCsv(text);
  const [c, o, p, q, u, t] = columns(header, [
    "customer_id",
    "order_id",
    "product_id",
    "quantity",
    "unit_price",
    "timestamp_iso",
  ]) as [number, number, number, number, number, number];
  const byId = new Map<string, HistoryOrder>();
  for (const row of rows) {
    const orderId = row[o] ?? "";
    let order = byId.get(orderId);
    if (!order) {
      // The file's timestamps are UK local time with no zone; reading them all as UTC keeps
      // their order and differences, which is all the model uses.
      order = { orderId, customerId: row[c] ?? "", at: new Date(`${row[t] ?? ""}Z`), items: [] };
      byId.set(orderId, order);
    }
    order.items.push({ productId: row[p] ?? "", quantity: Number(row[q]), price: Number(row[u]) });
  }
  return [...byId.values()];
}

/** The derived catalog (product_id,title,median_unit_price,...). */
export function catalogFromCsv(text: string): CatalogItem[] {
  const [header, ...rows] = parseCsv(text);
  const [p, t, m] = columns(header, ["product_id", "title", "median_unit_price"]) as [number, number, number];
  return rows.map((row) => ({ productId: row[p] ?? "", title: row[t] ?? "", price: Number(row[m]) }));
}
