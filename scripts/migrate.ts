/**
 * Applies committed migrations to DATABASE_URL with `prisma migrate deploy`.
 * SQLite's folder is created first; PostgreSQL's schema is created by prisma.config.ts.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseDatabaseUrl } from "../app/lib/database/url";
import { configuredDatabaseUrl, prismaCli } from "./prisma-cli";

const url = configuredDatabaseUrl();
const target = parseDatabaseUrl(url);
if (target.kind === "sqlite" && target.file !== ":memory:") mkdirSync(path.dirname(target.file), { recursive: true });
prismaCli(["migrate", "deploy"], url);
