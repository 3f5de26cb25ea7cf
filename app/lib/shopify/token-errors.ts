import type { TokenFailureReason } from "../shops/reconnect.server";
import { AdminApiError } from "./admin-api-error";

/**
 * The shop has no offline session: the app was never installed there, or the session was
 * deleted at uninstall. Nothing can be read for it until it installs again.
 */
export class NoOfflineSessionError extends Error {
  override name = "NoOfflineSessionError";
  constructor(readonly shop: string) {
    super(`no offline session for ${shop}: the app is not installed there`);
  }
}

/**
 * Shopify would not give the app a working token for this shop. Jobs keep their payload and wait
 * (see workers/processors/admin-api-job.ts); the admin shows the reconnect banner once the shop
 * row records it. Never a reason to treat the shop as uninstalled. It is an Admin API failure
 * (status 401, worth retrying later), so the admin pages' handlers show it like any other.
 */
export class OfflineTokenError extends AdminApiError {
  override name = "OfflineTokenError";
  constructor(
    message: string,
    readonly shop: string,
    readonly reason: TokenFailureReason,
    options?: { cause?: unknown },
  ) {
    super(message, 401, true, [], options);
  }
}
