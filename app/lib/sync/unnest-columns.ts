/**
 * PostgreSQL's column-wise rows (docs/decisions/014): each column of a batch travels as one
 * `text[]` parameter and `unnest` turns the arrays back into rows, each value cast to its
 * column's type in the SELECT. A statement then binds one parameter a column, not one a value:
 * nothing to split at the 65,535-parameter limit, and far less for the client and Prisma to
 * serialise than a multi-row VALUES.
 */
import { Prisma } from "@prisma/client";
import { columnList } from "./record-upsert-sql";

/** The SQL types the text of a column is cast to. */
export type ColumnType = "text" | "integer" | "numeric" | "boolean" | "timestamp(3)";

export type ColumnValue = string | number | boolean | Date | null;

/** One column: its SQL type and its value for an item. */
export interface UnnestColumn<T> {
  type: ColumnType;
  value: (item: T) => ColumnValue;
}

/**
 * Timestamps are stored as UTC wall time in timestamp(3) columns, as Prisma stores them; a cast
 * of an ISO string to timestamp (without zone) keeps its time as written, ignoring its "Z".
 */
function asText(value: ColumnValue): string | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * `INSERT INTO "table" ("a", …) SELECT r."a"::type, … FROM unnest($1::text[], …) AS r("a", …)`,
 * the columns in `order` (the shared list of record-upsert-sql.ts, so the portable path writes
 * the same columns). `columns` must name every column of `order`, which the type checks.
 */
export function unnestInsert<T, Name extends string>(
  table: string,
  order: readonly Name[],
  columns: Record<Name, UnnestColumn<T>>,
  items: readonly T[],
): Prisma.Sql {
  const arrays = order.map((name) => items.map((item) => asText(columns[name].value(item))));
  const casts = order.map((name) => `r."${name}"::${columns[name].type}`).join(", ");
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} ${columnList(order)}
    SELECT ${Prisma.raw(casts)}
    FROM unnest(${Prisma.join(arrays.map((a) => Prisma.sql`${a}::text[]`))}) AS r${columnList(order)}`;
}

/** Rows per column-wise statement: bounds one statement's arrays, whatever the batch's size. */
export const UNNEST_ROWS_PER_STATEMENT = 2_000;

export function slices<T>(items: readonly T[], size = UNNEST_ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
