import { parseArgs } from "node:util";
import { z } from "zod";
import { DEMO_DIR, DEMO_QUEUE_PREFIX } from "./config";
import { DemoError } from "./errors";
import { SLICE_NAMES } from "./slice-data";

export const USAGE = `Usage: npm run demo [-- options]

Runs Affinity end to end on this machine with a real shop's history and no Shopify store.

  --exit              run every step, print the summary, stop everything and exit
                      (exit status 0 only if every step succeeded)
  --retrain           train again even if the demo shop already has a model
  --slice full|tiny   how much of the shipped shop to replay (default full; tiny is for tests)
  --port N            the app's port (default 3000, or a free one if 3000 is busy)
  --admin-port N      the admin preview's port (default 3001, or a free one if busy)
  --storefront-port N the storefront preview's port (default 3002, or a free one if busy)
  --redis-url URL     use this Redis instead of 127.0.0.1:6379 or a demo-started one
  --dir PATH          where the demo keeps its database, Redis data and logs (default ${DEMO_DIR})
  --prefix P          Redis key prefix of the demo's queues (default ${DEMO_QUEUE_PREFIX})
  --help              this text
`;

const port = z.coerce.number().int().min(1).max(65_535);

const schema = z.object({
  exit: z.boolean().default(false),
  retrain: z.boolean().default(false),
  help: z.boolean().default(false),
  slice: z.enum(SLICE_NAMES).default("full"),
  port: port.optional(),
  adminPort: port.optional(),
  storefrontPort: port.optional(),
  redisUrl: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
    .optional(),
  dir: z.string().min(1).default(DEMO_DIR),
  // Same rule as QUEUE_PREFIX in app/lib/env.server.ts, which the children validate again.
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_{}:-]+$/, "may only contain letters, digits, _ - : { }")
    .default(DEMO_QUEUE_PREFIX),
});

export type DemoArgs = z.infer<typeof schema>;

/** The command line, validated; anything unknown or malformed is a DemoError that shows the usage. */
export function parseDemoArgs(argv: string[]): DemoArgs {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        exit: { type: "boolean" },
        retrain: { type: "boolean" },
        help: { type: "boolean" },
        slice: { type: "string" },
        port: { type: "string" },
        "admin-port": { type: "string" },
        "storefront-port": { type: "string" },
        "redis-url": { type: "string" },
        dir: { type: "string" },
        prefix: { type: "string" },
      },
    }).values;
  } catch (error) {
    throw new DemoError(`${(error as Error).message}\n\n${USAGE}`);
  }
  const { "admin-port": adminPort, "storefront-port": storefrontPort, "redis-url": redisUrl, ...rest } = values;
  const parsed = schema.safeParse({ ...rest, adminPort, storefrontPort, redisUrl });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  --${flagName(String(i.path[0]))}: ${i.message}`);
  throw new DemoError(`Invalid option:\n${problems.join("\n")}\n\n${USAGE}`);
}

const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
