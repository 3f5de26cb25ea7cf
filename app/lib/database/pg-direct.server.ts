import pg from "pg";
import type { Prisma } from "@prisma/client";
import type { DbClient } from "./client.server";
import { runSql } from "./raw-sql.server";

/**
 * The batch's big column-wise writes on PostgreSQL, sent on the transaction's own connection
 * instead of through Prisma (docs/decisions/014, "Around Prisma on PostgreSQL"). Prisma runs
 * every raw statement through its query compiler (wasm), whose cost grows with the bound values:
 * measured here, a 500-row, 17-column unnest INSERT cost about 19 ms of CPU through Prisma and
 * 3.7 ms through pg on the same connection, and the compiler was the largest single part of the
 * worker's CPU in a PostgreSQL drain. Same transaction, same SQL and values: only the hop differs.
 */

/** Each tracked client's pool connections, by PostgreSQL backend pid. */
const connectionsByClient = new WeakMap<object, Map<number, pg.PoolClient>>();
/** A transaction client's own connection, once bound by bindDirectConnection. */
const connectionOfTx = new WeakMap<object, pg.PoolClient>();
/** The pool of each client createDb made, for reads outside a transaction. */
const poolOfClient = new WeakMap<object, pg.Pool>();

/** Remembers `pool`'s connections by backend pid for `db` (createDb calls it for PostgreSQL). */
export function trackPoolConnections(db: object, pool: pg.Pool): void {
  const byPid = new Map<number, pg.PoolClient>();
  connectionsByClient.set(db, byPid);
  poolOfClient.set(db, pool);
  pool.on("connect", (client) => {
    const pid = (client as pg.PoolClient & { processID?: number }).processID;
    if (typeof pid === "number") byPid.set(pid, client);
  });
  pool.on("remove", (client) => {
    const pid = (client as pg.PoolClient & { processID?: number }).processID;
    if (typeof pid === "number" && byPid.get(pid) === client) byPid.delete(pid);
  });
}

/**
 * Finds the pool connection that `tx` (an interactive transaction of `db`) runs on, by asking the
 * server for its backend pid through the transaction itself, and binds it to `tx`. Returns
 * whether it did: a client not made by createDb, or SQLite, keeps every statement on Prisma.
 */
export async function bindDirectConnection(db: object, tx: DbClient): Promise<boolean> {
  const byPid = connectionsByClient.get(db);
  if (!byPid) return false;
  const [row] = await tx.$queryRaw<Array<{ pid: number }>>`SELECT pg_backend_pid() AS pid`;
  const connection = row ? byPid.get(Number(row.pid)) : undefined;
  if (!connection) return false;
  connectionOfTx.set(tx, connection);
  return true;
}

/**
 * Runs a write on `tx`'s own connection when one is bound, else through Prisma (runSql). Only for
 * statements whose result columns are text, booleans or int4, which pg and Prisma read alike.
 * Never on a pool connection: a write belongs to the batch's transaction.
 */
export async function runWrite<T = unknown>(tx: DbClient, query: Prisma.Sql): Promise<T> {
  return runOn<T>(connectionOfTx.get(tx), tx, query);
}

/** The statement's values as Prisma sends them: a Date as ISO text in UTC (pg sends local time). */
function sentValues(query: Prisma.Sql): unknown[] {
  return query.values.map((value) => (value instanceof Date ? value.toISOString() : value));
}

/** PostgreSQL's OID for `timestamp without time zone`, the type Prisma's DateTime columns have. */
const TIMESTAMP_OID = 1114;

/**
 * pg's own parsers, except that a timestamp comes back as ISO text in UTC: pg would read it as
 * local time. Prisma stores UTC wall time in these columns.
 */
const READ_TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary"
      ? (value: string) => `${value.replace(" ", "T")}Z`
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * A read on `client`'s own connection: a transaction's, once bound, or a pool connection for a
 * client createDb made; anything else goes through Prisma. The rows differ from Prisma's in type,
 * so only for callers that take each column as text, or a timestamp as `Date | string` and pass
 * it to `new Date` (as they must for SQLite's rows anyway).
 */
export async function runRead<T = unknown>(client: DbClient, query: Prisma.Sql): Promise<T> {
  return runOn<T>(connectionOfTx.get(client) ?? poolOfClient.get(client), client, query);
}

async function runOn<T>(connection: pg.PoolClient | pg.Pool | undefined, client: DbClient, query: Prisma.Sql) {
  if (!connection) return runSql<T>(client, query);
  const result = await connection.query({ text: query.text, values: sentValues(query), types: READ_TYPES });
  return result.rows as T;
}
