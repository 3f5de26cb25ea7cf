import path from "node:path";

/** The one shop the demo runs. */
export const DEMO_SHOP = "affinity-demo.myshopify.com";

/**
 * Fixed credentials, public on purpose: the demo plays Shopify itself on this machine, so what
 * they sign is trusted by the demo's own app processes and nothing else.
 */
export const DEMO_API_KEY = "affinity-demo-api-key";
export const DEMO_API_SECRET = "affinity-demo-local-secret";
export const DEMO_SCOPES = "read_products,read_orders,read_all_orders,read_customers";

/** Redis key prefix of the demo's queues and lists, apart from a development setup's `{affinity}`. */
export const DEMO_QUEUE_PREFIX = "{affinity-demo}";
export const DEMO_DIR = "var/demo";

/** Ports tried first; a busy one is replaced by a free one unless the port was asked for. */
export const PREFERRED_PORTS = { app: 3000, admin: 3001, storefront: 3002 } as const;

export interface DemoPaths {
  /** The project root: the children run here, so .env and build/ are found. */
  root: string;
  dir: string;
  databaseFile: string;
  databaseUrl: string;
  logs: string;
  redisData: string;
  /** Process ids of what the demo started, so a later run can stop what an interrupted one left. */
  pids: string;
}

export function demoPaths(root: string, dir: string): DemoPaths {
  const absolute = path.resolve(root, dir);
  const databaseFile = path.join(absolute, "affinity-demo.db");
  return {
    root,
    dir: absolute,
    databaseFile,
    databaseUrl: `file:${databaseFile}`,
    logs: path.join(absolute, "logs"),
    redisData: path.join(absolute, "redis"),
    pids: path.join(absolute, "pids"),
  };
}
