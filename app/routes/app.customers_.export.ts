import type { LoaderFunctionArgs } from "@remix-run/node";
import { predictionsCsv } from "../lib/admin/customers.server";
import { adminContext, orNotFound } from "../admin-context.server";
import { requireShop } from "../lib/shops/registry.server";
import { authenticate } from "../shopify.server";

/** GET /app/customers/export: every customer's churn risk, segment and expected next order. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = adminContext(session);
  const shop = await orNotFound(requireShop(db, session.shop));
  return new Response(await predictionsCsv(db, shop.id), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="affinity-customers.csv"',
      "cache-control": "no-store",
    },
  });
};
