/**
 * `npm run setup`: generates both Prisma clients (SQLite and PostgreSQL) and migrates the
 * configured database. Safe to run any number of times.
 */
import { execFileSync } from "node:child_process";
import { configuredDatabaseUrl, prismaCli } from "./prisma-cli";

const url = configuredDatabaseUrl();
prismaCli(["generate", "--schema", "prisma/schema.prisma"], url);
prismaCli(["generate", "--schema", "prisma/postgres/schema.prisma"], url);
execFileSync("npx", ["tsx", "scripts/migrate.ts"], { stdio: "inherit", env: { ...process.env, DATABASE_URL: url } });
