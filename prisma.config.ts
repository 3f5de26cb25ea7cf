import path from "node:path";
import { defineConfig } from "prisma/config";
import { parseDatabaseUrl } from "./app/lib/database/url";
import { createMigrateAdapter } from "./app/lib/database/prisma-migrate-adapter";

// The Prisma CLI (migrate deploy/status/diff) runs through the same driver adapters as the app,
// so it needs no schema-engine binary. The schema and migrations folder follow DATABASE_URL.
const target = parseDatabaseUrl(process.env.DATABASE_URL ?? "file:./var/affinity.db");
const root = target.kind === "sqlite" ? "prisma" : path.join("prisma", "postgres");

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(root, "schema.prisma"),
  migrations: { path: path.join(root, "migrations") },
  async adapter() {
    return createMigrateAdapter(target);
  },
});
