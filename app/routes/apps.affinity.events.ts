import type { ActionFunctionArgs } from "@remix-run/node";
import { eventsIntake } from "../events.server";
import { refuseBadSignature, respondToEvents } from "../lib/events/http.server";
import { authenticate } from "../shopify.server";

// Storefront events (block beacons, web pixel) through the App Proxy: verify, then queue.
export const loader = () => new Response(null, { status: 405, headers: { Allow: "POST" } });

export const action = async ({ request }: ActionFunctionArgs) => {
  const deps = eventsIntake();
  const { session } = await authenticate.public.appProxy(request).catch((error) => refuseBadSignature(deps, error));
  const query = new URL(request.url).searchParams;
  return respondToEvents(deps, request, {
    shop: query.get("shop") ?? "",
    loggedInCustomerId: query.get("logged_in_customer_id"),
    installed: session !== undefined,
  });
};
