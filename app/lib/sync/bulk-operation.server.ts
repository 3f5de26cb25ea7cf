import { z } from "zod";
import type { AdminGraphql } from "../shopify/admin-client.server";
import { BackfillError, BulkOperationEndedError } from "./backfill-errors";

/**
 * Starting and polling Admin API bulk query operations (2026-10). The operation is read with the
 * `bulkOperation(id:)` query, which replaced `node(id:)` polling and the deprecated
 * `currentBulkOperation` in 2026-01.
 */

// groupObjects: children directly below their parent, which the streaming import relies on
// (see bulk-jsonl.ts). It makes the operation slower, but lets a file of any size import in
// constant memory and resume at a parent boundary.
const RUN_BULK_QUERY = `mutation BackfillRunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

const OPERATION_FIELDS = "id status errorCode objectCount url partialDataUrl";

const BULK_OPERATION = `query BackfillBulkOperation($id: ID!) {
  bulkOperation(id: $id) { ${OPERATION_FIELDS} }
}`;

const OPERATIONS_IN_PROGRESS = `query BackfillBulkOperationsInProgress {
  bulkOperations(first: 10, query: "operation_type:query AND (status:created OR status:running)") {
    nodes { ${OPERATION_FIELDS} query }
  }
}`;

const TERMINAL = new Set(["COMPLETED", "FAILED", "CANCELED", "EXPIRED"]);

const operationSchema = z.object({
  id: z.string(),
  status: z.enum(["CREATED", "RUNNING", "CANCELING", "CANCELED", "COMPLETED", "FAILED", "EXPIRED"]),
  errorCode: z.string().nullish(),
  objectCount: z.coerce.number().int().nonnegative(), // UnsignedInt64: a JSON string
  url: z.string().nullish(),
  partialDataUrl: z.string().nullish(),
});
export type BulkOperation = z.output<typeof operationSchema>;

const runPayload = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string() }).nullable(),
    userErrors: z.array(z.object({ message: z.string(), code: z.string().nullish() })),
  }),
});

/**
 * Starts `query` as a bulk operation, or adopts the one already running it: Shopify refuses a new
 * operation while the app's concurrency limit is used up (one per shop before 2026-01, five
 * since), which happens when an earlier attempt started it but died before saving its id.
 */
export async function startBulkQuery(admin: AdminGraphql, query: string): Promise<{ id: string; adopted: boolean }> {
  const payload = runPayload.parse(await admin(RUN_BULK_QUERY, { query })).bulkOperationRunQuery;
  if (payload.bulkOperation) return { id: payload.bulkOperation.id, adopted: false };
  const messages = payload.userErrors.map((e) => e.message).join("; ") || "no operation and no reason given";
  const busy = payload.userErrors.some(
    (e) => e.code === "OPERATION_IN_PROGRESS" || e.code === "LIMIT_REACHED" || /already in progress/i.test(e.message),
  );
  // INVALID: Shopify rejected the query text itself, which no retry will change.
  if (!busy) throw new BackfillError(`Shopify rejected the bulk query: ${messages}`, false);
  const running = await findRunningQuery(admin, query);
  if (running) return { id: running.id, adopted: true };
  // Busy with other work of this app (another resource's backfill): wait for a slot.
  throw new BackfillError(`cannot start a bulk query yet: ${messages}`, true);
}

async function findRunningQuery(admin: AdminGraphql, query: string): Promise<BulkOperation | undefined> {
  const schema = z.object({
    bulkOperations: z.object({ nodes: z.array(operationSchema.extend({ query: z.string() })) }),
  });
  const { nodes } = schema.parse(await admin(OPERATIONS_IN_PROGRESS)).bulkOperations;
  const wanted = normalise(query);
  return nodes.find((op) => !TERMINAL.has(op.status) && normalise(op.query) === wanted);
}

const normalise = (query: string) => query.replace(/\s+/g, " ").trim();

export async function fetchBulkOperation(admin: AdminGraphql, id: string): Promise<BulkOperation> {
  const data = z.object({ bulkOperation: operationSchema.nullable() }).parse(await admin(BULK_OPERATION, { id }));
  // Shopify forgets operations after a while; only a new one can help.
  if (!data.bulkOperation) throw new BulkOperationEndedError(`bulk operation ${id} no longer exists`, true);
  return data.bulkOperation;
}

export interface PollOptions {
  /** First wait between polls. @defaultValue 2000 */
  intervalMs?: number;
  /** Waits grow by half each poll up to this. @defaultValue 30000 */
  maxIntervalMs?: number;
  /** Called whenever Shopify reports a different objectCount. */
  onCount?: (op: BulkOperation) => Promise<void>;
}

/** Polls until the operation reaches COMPLETED, FAILED, CANCELED or EXPIRED, and returns it. */
export async function pollBulkOperation(
  admin: AdminGraphql,
  id: string,
  options: PollOptions = {},
): Promise<BulkOperation> {
  let wait = options.intervalMs ?? 2_000;
  let lastCount = -1;
  for (;;) {
    const op = await fetchBulkOperation(admin, id);
    if (op.objectCount !== lastCount) {
      lastCount = op.objectCount;
      await options.onCount?.(op);
    }
    if (TERMINAL.has(op.status)) return op;
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(Math.ceil(wait * 1.5), options.maxIntervalMs ?? 30_000);
  }
}

/**
 * Why an operation that did not complete ended, and whether a new one could succeed. ACCESS_DENIED
 * means a scope is missing (read_all_orders, protected customer data): the same query keeps
 * failing until the merchant approves new scopes, which re-runs the install anyway. CANCELED was
 * somebody's decision (the app on uninstall, or support), so we do not undo it. Shopify calls
 * INTERNAL_SERVER_ERROR intermittent; TIMEOUT depends on load; EXPIRED only means the result file
 * is older than 7 days. A fresh operation may succeed for all three.
 */
export function operationFailure(op: BulkOperation): BulkOperationEndedError {
  const retryable = op.status === "EXPIRED" || (op.status === "FAILED" && op.errorCode !== "ACCESS_DENIED");
  const code = op.errorCode ? ` (${op.errorCode})` : "";
  return new BulkOperationEndedError(`bulk operation ${op.id} ended ${op.status}${code}`, retryable);
}
