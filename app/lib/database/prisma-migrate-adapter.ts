import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import type { DatabaseTarget } from "./url";
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

/*
 * Prisma's schema engine takes one database-wide advisory lock for every migration. Here each
 * PostgreSQL schema is its own migration history (ADR 001), so the lock is narrowed to the schema
 * being migrated: two migrators of one schema still exclude each other, while different schemas
 * (parallel test files, one schema per tenant) no longer queue for up to the engine's 10 s limit.
 */
const ENGINE_LOCK = "SELECT pg_advisory_lock(72707369)";
const schemaLock = (schema: string) => `SELECT pg_advisory_lock(72707369, hashtext(${quotePgLiteral(schema)}))`;
const quotePgLiteral = (value: string) => `'${value.replaceAll("'", "''")}'`;

function catalogSafeClient(schema: string) {
  return class CatalogSafeClient extends pg.Client {
    // pg.Pool calls query() with a trailing callback; direct callers use the promise form.
    override query(...args: unknown[]): never {
      const [first] = args;
      if (first === ENGINE_LOCK) args[0] = schemaLock(schema);
      else if (isQueryConfig(first) && first.text === ENGINE_LOCK) args[0] = { ...first, text: schemaLock(schema) };
      return relabelledQuery(this, args);
    }
  };
}

const isQueryConfig = (value: unknown): value is { text: string } =>
  typeof value === "object" && value !== null && typeof (value as { text?: unknown }).text === "string";

function relabelledQuery(client: pg.Client, args: unknown[]): never {
  const last = args[args.length - 1];
  if (typeof last === "function") {
    const callback = last as (err: unknown, result: unknown) => void;
    args[args.length - 1] = (err: unknown, result: unknown) => callback(err, relabelNameColumns(result));
  }
  const out = (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(client, args);
  if (out instanceof Promise) return out.then(relabelNameColumns) as never;
  return out as never;
}

/**
 * The adapter for the Prisma CLI (migrate deploy/status). The app itself uses createPrismaAdapter.
 * The schema is created first because `prisma migrate deploy` does not create it through an adapter.
 */
export async function createMigrateAdapter(target: DatabaseTarget) {
  if (target.kind === "sqlite") return createPrismaAdapter(target);
  await ensurePostgresSchema(target.url, target.schema);
  return new PrismaPg(createPgPool(target, { Client: catalogSafeClient(target.schema) }), { schema: target.schema });
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
