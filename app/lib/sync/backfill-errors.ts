import { AdminApiError } from "../shopify/admin-client.server";
import { BulkLineError } from "./bulk-jsonl";

/**
 * A backfill step that failed. `retryable` says whether running the job again can help; the
 * worker turns the others into BullMQ's UnrecoverableError so they stop at once.
 */
export class BackfillError extends Error {
  override name = "BackfillError";
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The bulk operation ended without a usable result (FAILED, CANCELED, EXPIRED, or gone). The
 * next attempt has to start a new operation rather than resume this one.
 */
export class BulkOperationEndedError extends BackfillError {
  override name = "BulkOperationEndedError";
}

/**
 * Whether a failed backfill is worth retrying. Unknown errors (a dropped connection, a database
 * restart) are assumed to be passing; shapes we cannot parse and rejected queries are not.
 */
export function isRetryableBackfillError(error: unknown): boolean {
  if (error instanceof BackfillError || error instanceof AdminApiError) return error.retryable;
  if (error instanceof BulkLineError) return false;
  return true;
}
