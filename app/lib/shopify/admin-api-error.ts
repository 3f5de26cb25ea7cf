/**
 * An Admin API call that failed: an HTTP error (`status` set), a network failure, or GraphQL
 * `errors`. `retryable` says whether the same call may succeed later (throttling, 5xx, network).
 * A 401 reaches callers only with a fixed token; with kept-fresh tokens it becomes a renewal and
 * one retry, then an `OfflineTokenError`. A 401 never means uninstalled: only the
 * app/uninstalled webhook says that.
 */
export class AdminApiError extends Error {
  override name = "AdminApiError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly codes: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
