import { createDb, type Db } from "./lib/database/client.server";
import { env } from "./lib/env.server";

declare global {
  // Survives Vite's module reloads in development, so edits do not open a new pool each time.
  var __affinityDb: Db | undefined;
}

/** The app process's one database client. */
export const db: Db = (globalThis.__affinityDb ??= createDb(env().DATABASE_URL));
