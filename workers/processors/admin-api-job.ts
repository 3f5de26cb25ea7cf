import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import type { Db } from "../../app/lib/database/client.server";
import type { Logger } from "../../app/lib/logger.server";
import { NoOfflineSessionError, OfflineTokenError } from "../../app/lib/shopify/token-errors";
import { markReconnectRequired } from "../../app/lib/shops/reconnect.server";
import type { OfflineTokens } from "../../app/lib/shopify/offline-tokens.server";

/**
 * How long a job waits before trying again while its shop needs reconnecting. Long enough not to
 * hammer Shopify's token endpoint, short enough that work resumes soon after the merchant opens
 * the app. @defaultValue 15 minutes
 */
export const RECONNECT_RETRY_MS = 15 * 60_000;

/** What every job that calls the Admin API with a shop's offline token needs. */
export interface AdminApiJobDeps {
  db: Db;
  log: Logger;
  /** The shops' offline tokens, renewed as they near expiry. */
  tokens: OfflineTokens;
  /** How long a job waits while its shop needs reconnecting. @defaultValue RECONNECT_RETRY_MS */
  reconnectRetryMs?: number;
  /** @defaultValue ADMIN_API_VERSION */
  apiVersion?: string;
}

/**
 * Turns a token failure in an Admin API job into what BullMQ should do with the job; other errors
 * are returned for the processor to judge. The job is never failed for good and keeps its payload:
 * - no offline session: the app is not installed, so nothing can ever run (UnrecoverableError);
 * - the token endpoint failing (timeout, 5xx): thrown again, so BullMQ retries with its backoff;
 *   on the job's last attempt, the shop is marked as needing to reconnect and the job waits;
 * - Shopify refusing the grant: the shop is marked, and the job moves to delayed, without using
 *   up an attempt, to run again in RECONNECT_RETRY_MS (and again, until the shop is reconnected).
 */
export async function handleTokenFailure(
  error: unknown,
  job: Job,
  token: string | undefined,
  deps: { db: Db; log: Logger; retryInMs?: number },
): Promise<unknown> {
  if (error instanceof NoOfflineSessionError) throw new UnrecoverableError(error.message);
  if (!(error instanceof OfflineTokenError)) return error;
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  if (error.reason === "unavailable" && !lastAttempt) throw error;
  await markReconnectRequired(deps.db, error.shop, error.reason);
  const retryInMs = deps.retryInMs ?? RECONNECT_RETRY_MS;
  deps.log.warn("admin_api.waiting_for_reconnect", { shop: error.shop, reason: error.reason, retryInMs });
  if (!token) throw error; // run outside a BullMQ worker: nothing to delay
  await job.moveToDelayed(Date.now() + retryInMs, token);
  throw new DelayedError();
}
