/**
 * Derives prisma/postgres/schema.prisma from the canonical SQLite schema.
 * One schema per provider is needed because Prisma bakes the provider into the generated
 * client; keeping one source of truth means the two can never drift apart.
 *   npm run db:schemas          write the derived file
 *   npm run db:schemas -- --check   exit 1 if it is out of date
 */
import { readFileSync, writeFileSync } from "node:fs";
import { derivePostgresSchema } from "../app/lib/database/prisma-schemas";

const source = readFileSync("prisma/schema.prisma", "utf8");
const target = "prisma/postgres/schema.prisma";
const derived = derivePostgresSchema(source);

if (process.argv.includes("--check")) {
  if (readFileSync(target, "utf8") !== derived) {
    console.error(`${target} is out of date: run npm run db:schemas`);
    process.exit(1);
  }
} else {
  writeFileSync(target, derived);
  console.log(`wrote ${target}`);
}
