import { rmSync, mkdirSync } from "node:fs";
import { migrateDatabase } from "../helpers/migrate";

/** The migrated SQLite file each test copies, so a test gets a fresh database in milliseconds. */
export const SQLITE_TEMPLATE = "var/test/template.db";

export default async function setup() {
  rmSync("var/test", { recursive: true, force: true });
  mkdirSync("var/test", { recursive: true });
  mkdirSync("test-output", { recursive: true });
  await migrateDatabase(`file:./${SQLITE_TEMPLATE}`);
}
