import { copyFileSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createDb, type Db } from "../../app/lib/database/client.server";
import { migrateDatabase } from "./migrate";

export interface TestDb {
  kind: "sqlite" | "postgres";
  url: string;
  db: Db;
  /** Disconnects and deletes the database (file or schema). */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated SQLite database: a copy of the template that global setup migrated into
 * `dir` (the benchmarks use a folder of their own so a test run cannot delete their files).
 */
export function createSqliteTestDb(dir = "var/test"): TestDb {
  const file = `${dir}/${randomUUID()}.db`;
  copyFileSync(`${dir}/template.db`, file);
  const url = `file:./${file}`;
  const db = createDb(url);
  return {
    kind: "sqlite",
    url,
    db,
    async drop() {
      await db.$disconnect();
      rmSync(file, { force: true });
    },
  };
}

/** A fresh PostgreSQL schema in the CI database, migrated by the real `prisma migrate deploy`. */
export async function createPostgresTestDb(): Promise<TestDb> {
  const base = process.env.POSTGRES_TEST_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const schema = `t_${randomUUID().replaceAll("-", "")}`;
  const url = `${base}?schema=${schema}`;
  await migrateDatabase(url);
  const db = createDb(url);
  return {
    kind: "postgres",
    url,
    db,
    async drop() {
      await db.$disconnect();
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** Both engines the app supports, for tests that must pass on each. */
export const DATABASE_KINDS = ["sqlite", "postgres"] as const;

export async function createTestDb(kind: (typeof DATABASE_KINDS)[number]): Promise<TestDb> {
  return kind === "sqlite" ? createSqliteTestDb() : createPostgresTestDb();
}
