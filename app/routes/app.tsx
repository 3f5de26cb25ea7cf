import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useFetcher, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "../shopify.server";
import { ReconnectBanner } from "../components/admin/reconnect-banner";
import { db } from "../db.server";
import { openAppConnection } from "../lib/admin/connection.server";
import { env } from "../lib/env.server";
import { offlineTokens } from "../offline-tokens.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const reconnect = await openAppConnection(db, offlineTokens(), session);
  return {
    apiKey: env().SHOPIFY_API_KEY,
    shop: session.shop,
    reconnect: reconnect && { since: reconnect.since.toISOString(), reason: reconnect.reason },
  };
};

export default function AppLayout() {
  const { apiKey, shop, reconnect } = useLoaderData<typeof loader>();
  // Posting to /app/reconnect makes Remix reload every loader afterwards: that runs the exchange.
  const reconnecting = useFetcher();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey}>
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/model">Model</Link>
        <Link to="/app/customers">Customers</Link>
        <Link to="/app/settings">Settings</Link>
        <Link to="/app/data-requests">Data requests</Link>
      </NavMenu>
      {reconnect ? (
        <ReconnectBanner
          shop={shop}
          apiKey={apiKey}
          {...reconnect}
          onReconnect={() => reconnecting.submit({}, { method: "post", action: "/app/reconnect" })}
          reconnecting={reconnecting.state !== "idle"}
        />
      ) : null}
      <Outlet />
    </AppProvider>
  );
}

// The library's boundary turns thrown auth responses (redirects, bounce pages) into real responses.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
