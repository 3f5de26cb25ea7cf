import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { adminContext } from "../admin-context.server";
import { trainingProgress } from "../lib/admin/training-progress.server";

/** GET /app/model/progress: the session's shop's training progress, polled by the model page. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return trainingProgress(adminContext(session).trainQueue(), session.shop);
};
