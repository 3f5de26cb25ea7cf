import type { Redis } from "ioredis";
import type { Db } from "../../app/lib/database/client.server";
import type { DemoArgs } from "./args";
import type { DemoPaths } from "./config";
import type { DemoChild } from "./processes";
import type { DemoRedis } from "./redis";
import type { ReplayResult } from "./replay";
import type { TrainOutcome } from "./train";

/** What the steps found and started, filled in as they run; the summary is made from it. */
export interface DemoState {
  args: DemoArgs;
  paths: DemoPaths;
  ports?: { app: number; admin: number; storefront: number };
  redis?: DemoRedis;
  appOrigin?: string;
  /** The processes whose unexpected exit ends an interactive demo. */
  services: DemoChild[];
  /** The demo's own connections, opened once the database is migrated. */
  clients?: { db: Db; redis: Redis };
  replay?: ReplayResult;
  training?: TrainOutcome;
  storefront?: { url: string | null; message: string; close?: () => Promise<void> };
  traffic?: { message: string };
  adminUrl?: string;
}

/** Stops the storefront preview, which runs inside the demo's own process. */
export async function closeStorefront(state: DemoState): Promise<void> {
  const close = state.storefront?.close;
  if (state.storefront) state.storefront.close = undefined;
  await close?.().catch(() => undefined);
}

export async function closeClients(state: DemoState): Promise<void> {
  const clients = state.clients;
  state.clients = undefined;
  if (!clients) return;
  clients.redis.disconnect();
  await clients.db.$disconnect().catch(() => undefined);
}
