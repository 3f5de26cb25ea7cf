import pg from "pg";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { DatabaseTarget } from "./url";

/**
 * The driver adapter for a target. Driver adapters let Prisma run without its native engine
 * binaries, which cannot be downloaded on our build machines (docs/decisions/001).
 */
export function createPrismaAdapter(target: DatabaseTarget): PrismaBetterSQLite3 | PrismaPg {
  if (target.kind === "sqlite") return withSqlitePragmas(new PrismaBetterSQLite3({ url: target.file }));
  const pool = createPgPool(target);
  const adapter = new PrismaPg(pool, { schema: target.schema });
  adapterPools.set(adapter, pool);
  return adapter;
}

const adapterPools = new WeakMap<PrismaPg, pg.Pool>();

/** The pool a PostgreSQL adapter of createPrismaAdapter's runs on (pg-direct.server.ts uses its connections). */
export function poolOfAdapter(adapter: PrismaBetterSQLite3 | PrismaPg): pg.Pool | undefined {
  return adapter instanceof PrismaPg ? adapterPools.get(adapter) : undefined;
}

/**
 * WAL lets the app read while a worker writes (the default journal locks readers out), and
 * synchronous=NORMAL fsyncs at checkpoints instead of on every commit: durable against a process
 * crash, and at most the last commits lost on power failure. Measured here, the default mode made
 * every ingest transaction wait on an fsync. busy_timeout makes a second process wait, not fail.
 */
const SQLITE_PRAGMAS = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;";

function withSqlitePragmas(factory: PrismaBetterSQLite3): PrismaBetterSQLite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    await adapter.executeScript(SQLITE_PRAGMAS);
    return adapter;
  };
  return factory;
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
