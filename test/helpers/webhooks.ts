import * as dev from "../../dev/webhook-signing";

export { deliverWebhook, type SignedWebhook } from "../../dev/webhook-signing";

/** A webhook signed as Shopify signs it, with the test's app secret unless another is given. */
export function signWebhook(
  options: Omit<Parameters<typeof dev.signWebhook>[0], "secret"> & { secret?: string },
): dev.SignedWebhook {
  return dev.signWebhook({ ...options, secret: options.secret ?? process.env.SHOPIFY_API_SECRET! });
}
