/**
 * `npm run db:migration -- <name>`: writes a migration for SQLite and for PostgreSQL from the
 * schema change since the last commit. `prisma migrate dev` cannot run offline with driver
 * adapters (docs/decisions/001), so the diff is taken between the committed schema files and the
 * working ones; commit each schema change together with its migration.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <name in snake_case>");
  process.exit(1);
}
execFileSync("npx", ["tsx", "scripts/db-schemas.ts"], { stdio: "inherit" });
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const scratch = mkdtempSync(path.join(tmpdir(), "affinity-migration-"));

for (const schema of ["prisma/schema.prisma", "prisma/postgres/schema.prisma"]) {
  const before = path.join(scratch, schema.replaceAll("/", "_"));
  writeFileSync(before, execFileSync("git", ["show", `HEAD:${schema}`]));
  const sql = execFileSync(
    "npx",
    ["prisma", "migrate", "diff", "--from-schema-datamodel", before, "--to-schema-datamodel", schema, "--script"],
    { env: { ...process.env, PRISMA_QUERY_ENGINE_LIBRARY: "/dev/null", PRISMA_SCHEMA_ENGINE_BINARY: "/dev/null" } },
  );
  const folder = path.join(path.dirname(schema), "migrations", `${stamp}_${name}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, "migration.sql"), sql);
  console.log(`wrote ${folder}/migration.sql`);
}
