import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { downloadDataRequest } from "../lib/admin/data-requests.server";
import { adminContext, orNotFound } from "../admin-context.server";
import { requireShop } from "../lib/shops/registry.server";
import { authenticate } from "../shopify.server";

const params = z.object({ id: z.string().min(1).max(64) });

/**
 * GET /app/data-requests/:id/download: one customers/data_request report as a JSON file. The
 * report is looked up within the session's shop, so another shop's id answers 404.
 */
export const loader = async ({ request, params: raw }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = params.safeParse(raw);
  if (!parsed.success) throw new Response("Not a data request id", { status: 400 });
  const { db } = adminContext(session);
  const shop = await orNotFound(requireShop(db, session.shop));
  const file = await downloadDataRequest(db, shop.id, parsed.data.id);
  if (!file) throw new Response("No such data request for this shop", { status: 404 });
  return new Response(file.body, {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
    },
  });
};
