import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { z } from "zod";
import { parseDatabaseUrl } from "./database/url";
import { parseNetwork } from "./metrics/access";
import { tfBackendChoice } from "./tf/backend-choice";
import { DEFAULT_TRAIN_BUDGET_MB } from "./model/window";

/**
 * The one configuration schema, shared by the app and the workers. Defaults are safe local values;
 * secrets have none, so a missing secret stops start-up instead of running half-configured.
 */
/** The app's own queue prefix when QUEUE_PREFIX is unset: a development setup's or production's data. */
export const DEFAULT_QUEUE_PREFIX = "{affinity}";

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** The app's client id from the Partner Dashboard. */
  SHOPIFY_API_KEY: z.string().min(1),
  /** The app's client secret: signs webhooks, app-proxy requests and session tokens. */
  SHOPIFY_API_SECRET: z.string().min(1),
  /** The public https URL Shopify reaches the app at. @defaultValue none */
  SHOPIFY_APP_URL: z.url(),
  /** Comma-separated Admin API access scopes: the same set as shopify.app.toml (README, "Scopes"). */
  SCOPES: z
    .string()
    .min(1)
    .default(
      "read_products,read_orders,read_all_orders,read_customers,write_pixels,read_customer_events,write_app_proxy,write_customers",
    ),
  /**
   * A domain the Shopify libraries accept shops on besides myshopify.com (development setups),
   * e.g. `shop.example.dev`; passed to them as a domain transformation. @defaultValue none
   */
  SHOP_CUSTOM_DOMAIN: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "must be a domain such as shop.example.dev")
    .optional(),
  /** @defaultValue file:./var/affinity.db (SQLite); use postgresql://… in production. */
  DATABASE_URL: z
    .string()
    .default("file:./var/affinity.db")
    .superRefine((value, ctx) => {
      try {
        parseDatabaseUrl(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    }),
  /**
   * One Redis (`redis://`, `rediss://`) or a Redis Cluster's seed nodes
   * (`redis+cluster://host:port,host:port`). @defaultValue redis://127.0.0.1:6379
   */
  REDIS_URL: z
    .string()
    .default("redis://127.0.0.1:6379")
    .refine(
      (v) => /^rediss?(\+cluster)?:\/\//.test(v),
      "must start with redis://, rediss:// or redis+cluster:// (a cluster's host:port list)",
    ),
  /**
   * Prefix of every BullMQ key. Braces make it a Redis Cluster hash tag, so all of a queue's keys
   * share one slot, as BullMQ requires on a cluster. @defaultValue {affinity}
   */
  QUEUE_PREFIX: z
    .string()
    .default(DEFAULT_QUEUE_PREFIX)
    .refine((v) => /^[A-Za-z0-9_{}:-]+$/.test(v), "may only contain letters, digits, _ - : { }"),
  /** Force a TensorFlow.js backend instead of the tensorflow → wasm → cpu ladder. @defaultValue auto */
  TF_BACKEND: tfBackendChoice.default("auto"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** Largest webhook body accepted; Shopify orders with hundreds of lines stay well below. @defaultValue 2 MiB */
  WEBHOOK_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
  /**
   * Webhook jobs one worker writes in one transaction (docs/decisions/014); 1 turns batching off
   * (one job at a time, the per-job processor). @defaultValue 500
   */
  WEBHOOK_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  /** Payload bytes a batch stops taking more jobs at, which bounds its memory. @defaultValue 32 MiB */
  WEBHOOK_BATCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(32 * 1024 * 1024),
  /** Largest storefront events body accepted (a block batch is about 150 bytes an event). @defaultValue 16 KiB */
  EVENTS_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(16 * 1024),
  /** Events one visitor may send per minute before the rest are refused with 429. @defaultValue 120 */
  EVENTS_PER_VISITOR_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  /** Events one shop may send per minute, all visitors together. @defaultValue 20000 */
  EVENTS_PER_SHOP_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  /**
   * How many months of order history the install backfill imports. Beyond 60 days Shopify only
   * returns orders to apps granted the read_all_orders scope. @defaultValue 12
   */
  BACKFILL_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
  /**
   * Memory one training may take, in MB. A shop whose history would need more trains on a window
   * of its newest orders and most bought products, recorded in the run (model/window.ts).
   * @defaultValue 1536 (DEFAULT_TRAIN_BUDGET_MB)
   */
  TRAIN_MAX_RSS_MB: z.coerce.number().int().min(256).max(65_536).default(DEFAULT_TRAIN_BUDGET_MB),
  /** New orders after which a shop's model is retrained. @defaultValue 50 */
  TRAIN_AFTER_ORDERS: z.coerce.number().int().min(1).max(1_000_000).default(50),
  /**
   * Seconds a shop's new orders wait before its served lists are rebuilt from the served model
   * (no retraining), so a shopper who returns the same day is ranked knowing the order they just
   * placed. Orders within one such window share one rebuild; 0 turns it off. @defaultValue 300
   */
  LIST_REFRESH_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** When each shop's daily retrain runs (cron, server time). @defaultValue 17 3 * * * */
  TRAIN_CRON: z.string().min(9).default("17 3 * * *"),
  /**
   * Processes the app serves HTTP from, sharing its port (Node's cluster). The storefront's
   * requests are CPU-bound, so one per core, but at most 8 by default: in a container the core
   * count Node sees is often the host's, not the container's share. @defaultValue min(cores, 8)
   */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(defaultWebConcurrency()),
  /** Jobs one worker process runs at once. @defaultValue 4 */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * How long a worker's job lock lasts without renewal. A worker that dies (kill -9, lost host)
   * releases its job after about this long, and another worker runs it again. @defaultValue 30000
   */
  WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** How often workers look for jobs whose lock expired. @defaultValue 30000 */
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** How long a stopping worker waits for running jobs before it exits anyway. @defaultValue 10000 */
  WORKER_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * The port /metrics (Prometheus) is served on, apart from the app's port; 0 takes any free one.
   * Unset: no metrics are recorded or served. @defaultValue none
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /**
   * Networks besides loopback that may scrape /metrics, comma-separated (`10.0.0.0/8,192.168.1.5`).
   * Unset: the port listens on 127.0.0.1 only. @defaultValue none
   */
  METRICS_ALLOW: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ""),
    )
    .superRefine((entries, ctx) => {
      for (const entry of entries) {
        const network = parseNetwork(entry);
        if (typeof network === "string") ctx.addIssue({ code: "custom", message: network });
      }
    }),
  /** A bearer token every scrape must send, 16 characters or more. @defaultValue none */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
});

export type Env = z.infer<typeof envSchema>;

/** One app process per core, at most 8 (see WEB_CONCURRENCY). */
export function defaultWebConcurrency(): number {
  return Math.min(availableParallelism(), 8);
}

const HINTS: Partial<Record<keyof Env, string>> = {
  SHOPIFY_API_KEY: "the Client ID from your app in the Partner Dashboard (or `shopify app env show`)",
  SHOPIFY_API_SECRET: "the Client secret from your app in the Partner Dashboard",
  SHOPIFY_APP_URL: "the app's public https URL, e.g. https://affinity.example.com",
  DATABASE_URL: "file:./var/affinity.db for SQLite or postgresql://user@host:5432/db for PostgreSQL",
  REDIS_URL: "e.g. redis://127.0.0.1:6379",
  METRICS_PORT: "a free port such as 9464, apart from PORT",
  METRICS_ALLOW: "networks such as 10.0.0.0/8,192.168.1.5",
};

/** Thrown when the environment is missing or invalid; its message names every bad variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: Array<{ variable: string; problem: string }>) {
    const lines = problems.map(({ variable, problem }) => {
      const hint = HINTS[variable as keyof Env];
      return `  - ${variable}: ${problem}${hint ? ` (expected ${hint})` : ""}`;
    });
    super(
      `Invalid configuration:\n${lines.join("\n")}\n` +
        "Set these in the environment or in .env (copy .env.example to start).",
    );
  }
}

/** Validates a raw environment. Pure: pass any record, get an Env or a ConfigError. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? "(environment)"),
      problem: source[String(issue.path[0])] === undefined ? "is not set" : issue.message,
    })),
  );
}

let cached: Env | undefined;

/** The process's validated environment, read once. Loads ./.env first when it exists. */
export function env(): Env {
  if (cached) return cached;
  // process.loadEnvFile never overrides variables that are already set, so the real
  // environment (CI, a host's secrets) always wins over the local file.
  if (existsSync(".env")) process.loadEnvFile(".env");
  cached = parseEnv(process.env);
  return cached;
}
