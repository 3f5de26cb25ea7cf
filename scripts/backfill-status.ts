/**
 * `npm run backfill:status -- <shop.myshopify.com> [--watch]`: the install backfill's progress,
 * read from the Backfill rows the worker keeps up to date.
 */
import { createDb } from "../app/lib/database/client.server";
import { formatBackfillLine } from "../app/lib/sync/backfill-report";
import { configuredDatabaseUrl } from "./prisma-cli";

const shop = process.argv[2];
if (!shop || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop)) {
  console.error("usage: npm run backfill:status -- <shop>.myshopify.com [--watch]");
  process.exit(2);
}
const watch = process.argv.includes("--watch");
const db = createDb(configuredDatabaseUrl());

async function report(): Promise<boolean> {
  const rows = await db.backfill.findMany({ where: { shop: { domain: shop } }, orderBy: { resource: "desc" } });
  if (rows.length === 0) {
    process.stdout.write(`${shop}: no backfill recorded yet (it starts when the shop installs the app)\n`);
    return true;
  }
  process.stdout.write(rows.map(formatBackfillLine).join("\n") + "\n");
  return rows.every((r) => r.status === "completed" || r.status === "failed");
}

async function main() {
  while (!(await report()) && watch) await new Promise((resolve) => setTimeout(resolve, 1_000));
  await db.$disconnect();
}
void main();
