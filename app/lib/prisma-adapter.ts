import pg from "pg";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { DatabaseTarget } from "./database-url";

/**
 * The driver adapter for a target. Driver adapters let Prisma run without its native engine
 * binaries, which cannot be downloaded on our build machines (docs/decisions/001).
 */
export function createPrismaAdapter(target: DatabaseTarget): PrismaBetterSQLite3 | PrismaPg {
  if (target.kind === "sqlite") return new PrismaBetterSQLite3({ url: target.file });
  return new PrismaPg(createPgPool(target), { schema: target.schema });
}

/**
 * A pool whose connections resolve unqualified names (raw SQL, migrations) in the target schema,
 * the same schema Prisma's model queries are qualified with.
 */
export function createPgPool(
  target: Extract<DatabaseTarget, { kind: "postgres" }>,
  extra: pg.PoolConfig = {},
): pg.Pool {
  return new pg.Pool({
    connectionString: target.url,
    options: `-c search_path=${quotePgIdent(target.schema)}`,
    ...extra,
  });
}

export function quotePgIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
