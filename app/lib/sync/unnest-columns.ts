/**
 * Column-wise rows (docs/decisions/014): a batch's rows travel as a few parameters, not one
 * parameter a value, and the database turns them back into rows in the SELECT of an INSERT.
 * - PostgreSQL: each column one `text[]` parameter, `unnest` back into rows, each value cast to
 *   its column's type.
 * - SQLite: the whole batch one JSON parameter, an array of row arrays, read back with
 *   `json_each` and `json_extract`. SQLite has no arrays; its JSON functions parse the text in C.
 * A statement then binds one parameter a column (or one in all), not one a value: nothing to split
 * at the engines' parameter limits, and far less for Prisma's query compiler and the driver to
 * serialise than a multi-row VALUES (on SQLite, a 500-row order upsert bound 9,000 parameters).
 */
import { Prisma } from "@prisma/client";
import { wellFormed } from "./payload-scalars";
import { columnList } from "./record-upsert-sql";

/** The engines that take column-wise rows; any other client takes the portable multi-row VALUES. */
export type ColumnWiseEngine = "postgres" | "sqlite";

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

/**
 * A value as SQLite gets it bound by Prisma's better-sqlite3 adapter, so both paths store the
 * same: a Date as ISO text with "+00:00" (the adapter's default iso8601 format), a boolean as 1
 * or 0. A decimal stays text (a JSON number would round it) and is cast in the SQL, as the
 * portable path's `CAST(? AS DECIMAL)` casts its bound text.
 */
function asSqliteJson(type: ColumnType, value: ColumnValue): string | number | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  if (type === "numeric") return String(value);
  // A lone UTF-16 surrogate (JSON.parse makes one from a "\ud800" escape) would reach SQLite's
  // JSON parser as an escape it decodes to invalid UTF-8; U+FFFD is what binding it would store.
  if (typeof value === "string") return wellFormed(value);
  return value;
}

/**
 * `INSERT INTO "table" ("a", …) SELECT json_extract(r.value, '$[0]'), … FROM json_each(?) AS r
 * WHERE true`: SQLite's column-wise rows, one JSON parameter for the whole statement. The
 * `WHERE true` is SQLite's own advice for an `INSERT … SELECT … ON CONFLICT`: without it, the
 * parser may read the `ON` as a join constraint. Rows come out of json_each in array order.
 */
export function jsonEachInsert<T, Name extends string>(
  table: string,
  order: readonly Name[],
  columns: Record<Name, UnnestColumn<T>>,
  items: readonly T[],
): Prisma.Sql {
  const rows = items.map((item) => order.map((name) => asSqliteJson(columns[name].type, columns[name].value(item))));
  const values = order
    .map((name, i) => {
      const value = `json_extract(r.value, '$[${i}]')`;
      return columns[name].type === "numeric" ? `CAST(${value} AS DECIMAL)` : value;
    })
    .join(", ");
  return Prisma.sql`INSERT INTO ${Prisma.raw(`"${table}"`)} ${columnList(order)}
    SELECT ${Prisma.raw(values)}
    FROM json_each(${JSON.stringify(rows)}) AS r WHERE true`;
}

/** The column-wise INSERT … SELECT of `engine`. */
export function columnWiseInsert<T, Name extends string>(
  engine: ColumnWiseEngine,
  table: string,
  order: readonly Name[],
  columns: Record<Name, UnnestColumn<T>>,
  items: readonly T[],
): Prisma.Sql {
  return (engine === "postgres" ? unnestInsert : jsonEachInsert)(table, order, columns, items);
}

/** `"column" = ANY(ids)` on PostgreSQL, `"column" IN (SELECT value FROM json_each(ids))` on SQLite: one parameter either way. */
export function inIds(engine: ColumnWiseEngine, column: string, ids: readonly string[]): Prisma.Sql {
  return engine === "postgres"
    ? Prisma.sql`${Prisma.raw(column)} = ANY(${[...ids]}::text[])`
    : Prisma.sql`${Prisma.raw(column)} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}

/** Rows per column-wise statement: bounds one statement's arrays, whatever the batch's size. */
export const UNNEST_ROWS_PER_STATEMENT = 2_000;

export function slices<T>(items: readonly T[], size = UNNEST_ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
