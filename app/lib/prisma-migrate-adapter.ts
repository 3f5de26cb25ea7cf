import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import type { DatabaseTarget } from "./database-url";
import { createPgPool, createPrismaAdapter, quotePgIdent } from "./prisma-adapter";

// PostgreSQL's `name` type (OID 19) is what the catalog uses for identifiers. @prisma/adapter-pg
// 6.19 cannot map it, so `prisma migrate` through the adapter fails while describing the schema
// (prisma/orm#27403). Reporting it as `text` (OID 25) is exact: `name` is a 63-byte string.
const PG_NAME_OID = 19;
const PG_TEXT_OID = 25;

type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };

function relabelNameColumns<T>(result: T): T {
  const fields = (result as QueryResultLike | undefined)?.fields;
  if (Array.isArray(fields)) {
    for (const field of fields) if (field.dataTypeID === PG_NAME_OID) field.dataTypeID = PG_TEXT_OID;
  }
  return result;
}

class CatalogSafeClient extends pg.Client {
  // pg.Pool calls query() with a trailing callback; direct callers use the promise form.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      const callback = last as (err: unknown, result: unknown) => void;
      args[args.length - 1] = (err: unknown, result: unknown) => callback(err, relabelNameColumns(result));
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    if (out instanceof Promise) return out.then(relabelNameColumns) as never;
    return out as never;
  }
}

/**
 * The adapter for the Prisma CLI (migrate deploy/status). The app itself uses createPrismaAdapter.
 * The schema is created first because `prisma migrate deploy` does not create it through an adapter.
 */
export async function createMigrateAdapter(target: DatabaseTarget) {
  if (target.kind === "sqlite") return createPrismaAdapter(target);
  await ensurePostgresSchema(target.url, target.schema);
  return new PrismaPg(createPgPool(target, { Client: CatalogSafeClient }), { schema: target.schema });
}

async function ensurePostgresSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotePgIdent(schema)}`);
  } finally {
    await client.end();
  }
}
