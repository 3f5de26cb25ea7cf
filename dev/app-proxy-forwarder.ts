import type { IncomingMessage, ServerResponse } from "node:http";
import { signAppProxyQuery } from "./app-proxy-signature";

/** Where a local storefront forwards `/apps/affinity/*`, and as whom. */
export interface AppProxyTarget {
  /** The app's origin, e.g. http://127.0.0.1:3000. */
  appOrigin: string;
  shop: string;
  secret: string;
  /** The storefront's logged-in customer, if any (Shopify knows it from the storefront session). */
  customerId?: () => string | undefined;
  /**
   * Renders an `application/liquid` answer in the shopper's storefront context, as Shopify does
   * (dev/storefront/proxy-liquid.ts); without it such an answer is relayed as it is.
   */
  renderLiquid?: (template: string, req: IncomingMessage, url: URL) => Promise<string>;
}

export interface ForwardedCall {
  method: string;
  path: string;
  /** The shopper's own query, before the proxy added its parameters. */
  query: URLSearchParams;
  requestBody: string;
  status: number;
  responseBody: string;
  /** What the shopper's browser received: the rendered page for a Liquid answer, else the body. */
  renderedBody: string;
}

/**
 * Does what Shopify's App Proxy does with `/apps/affinity/<path>`: drops whatever the shopper
 * sent in the proxy's own parameters, adds `shop`, `logged_in_customer_id`, `path_prefix`,
 * `timestamp` and `signature`, strips cookies, and relays the app's answer.
 */
export async function forwardAppProxy(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  target: AppProxyTarget,
): Promise<ForwardedCall> {
  const requestBody = req.method === "POST" ? await readBody(req) : "";
  const signed = signAppProxyQuery(
    url.searchParams,
    { shop: target.shop, loggedInCustomerId: target.customerId?.() ?? "" },
    target.secret,
  );
  const response = await fetch(`${target.appOrigin}${url.pathname}?${signed}`, {
    method: req.method,
    headers: { "content-type": req.headers["content-type"] ?? "text/plain", accept: "application/json" },
    body: req.method === "POST" ? requestBody : undefined,
  });
  const responseBody = await response.text();
  const type = response.headers.get("content-type") ?? "application/json";
  const liquid = type.startsWith("application/liquid") && target.renderLiquid;
  const renderedBody = liquid ? await liquid(responseBody, req, url) : responseBody;
  res.writeHead(response.status, {
    "content-type": liquid ? "text/html; charset=utf-8" : type,
    "cache-control": "no-store",
  });
  res.end(renderedBody);
  return {
    method: req.method ?? "GET",
    path: url.pathname,
    query: url.searchParams,
    requestBody,
    status: response.status,
    responseBody,
    renderedBody,
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
