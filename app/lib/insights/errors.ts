/** A write of insights to Shopify that stopped; `retryable` says whether the same job may succeed later. */
export class InsightWriteError extends Error {
  override name = "InsightWriteError";
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
