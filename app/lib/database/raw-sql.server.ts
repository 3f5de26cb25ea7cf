import type { Prisma } from "@prisma/client";
import type { DbClient } from "./client.server";

/**
 * Runs a statement built with Prisma.sql and Prisma.join through any generated client. Each
 * generated client (SQLite, and the PostgreSQL one generated apart) only recognises its own
 * runtime's Sql objects as nested SQL, so the statement is handed over flattened: its literal
 * parts as the template and its values as bound parameters, which every client treats alike.
 */
export async function runSql<T = unknown>(db: DbClient, query: Prisma.Sql): Promise<T> {
  const strings = Object.assign([...query.strings], { raw: [...query.strings] });
  return db.$queryRaw<T>(strings, ...query.values);
}
