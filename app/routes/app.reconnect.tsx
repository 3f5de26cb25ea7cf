import type { ActionFunctionArgs } from "@remix-run/node";
import { db } from "../db.server";
import { expireOfflineSession } from "../lib/shops/reconnect.server";
import { authenticate } from "../shopify.server";

/**
 * The reconnect banner's action. It retires the shop's stored offline token; Remix then reloads
 * the page's data, and that request's `authenticate.admin` exchanges the merchant's session token
 * for a fresh one (storing it clears the reconnect state: AffinitySessionStorage).
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  await expireOfflineSession(db, session.shop);
  return Response.json({ reconnecting: true });
};
