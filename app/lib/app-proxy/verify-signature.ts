import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { SHOPIFY_ID } from "../shopify-id";
import { SHOP_DOMAIN } from "../shops/domain";
import { ProxyQuery, type QueryParams } from "./proxy-query";

/**
 * Verifies Shopify's App Proxy signature with node:crypto, the same check as the library's
 * `validateHmac(query, { signator: "appProxy" })` (a test holds the two together). The storefront
 * hot path uses this instead of `authenticate.public.appProxy`, which also loads the shop's
 * offline session from the database on every request (docs/decisions/009).
 */
export class InvalidProxySignatureError extends Error {
  override name = "InvalidProxySignatureError";
  constructor(
    message: string,
    /** 400 when the request cannot be from Shopify's proxy at all, 401 when its signature fails. */
    readonly status: 400 | 401,
  ) {
    super(message);
  }
}

/** Shopify's own tolerance for the proxy's timestamp, in seconds. */
export const PROXY_CLOCK_TOLERANCE_S = 90;
const SINGLE_VALUED = ["shop", "signature", "timestamp"];

export interface ProxyIdentity {
  shop: string;
  /** Shopify's customer id when a customer is logged in to the storefront, else null. */
  loggedInCustomerId: string | null;
}

/**
 * The query of a request URL as the proxy forwarded it (`/apps/affinity/…?shop=…`), parsed as
 * URLSearchParams would (proxy-query.ts). Cheaper than a full URL parse on the storefront's hot
 * paths, whose path the server has already matched.
 */
export function proxyQuery(url: string | undefined): ProxyQuery {
  const at = url?.indexOf("?") ?? -1;
  return new ProxyQuery(at === -1 ? "" : url!.slice(at + 1));
}

export function verifyAppProxyQuery(params: QueryParams, secret: string, nowMs = Date.now()): ProxyIdentity {
  const query = ProxyQuery.from(params);
  for (const key of SINGLE_VALUED) {
    if (query.count(key) > 1) throw new InvalidProxySignatureError(`"${key}" appears more than once`, 400);
  }
  const signature = query.get("signature");
  const shop = query.get("shop");
  const timestamp = Number(query.get("timestamp"));
  if (!signature || !shop || !Number.isFinite(timestamp)) {
    throw new InvalidProxySignatureError("Not an App Proxy request: shop, timestamp and signature are required", 400);
  }
  if (!SHOP_DOMAIN.test(shop)) throw new InvalidProxySignatureError("shop is not a myshopify.com domain", 400);
  const expected = Buffer.from(appProxySignature(query, secret), "utf8");
  const given = Buffer.from(signature, "utf8");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidProxySignatureError("App Proxy signature does not match", 401);
  }
  // Checked after the signature, so a caller cannot learn our clock from unsigned requests.
  if (Math.abs(nowMs / 1000 - timestamp) > PROXY_CLOCK_TOLERANCE_S) {
    throw new InvalidProxySignatureError("App Proxy signature has expired", 401);
  }
  const customer = query.get("logged_in_customer_id");
  return { shop, loggedInCustomerId: customer && SHOPIFY_ID.test(customer) ? customer : null };
}

/** The order of `String.prototype.localeCompare`, which the library sorts by, without its per-call set-up. */
const byLocale = new Intl.Collator().compare;
/**
 * Keys made of lower-case letters and underscores, like every parameter the proxy and the block
 * send, sort the same by locale and by code unit: "_" comes before the letters in both. (Not so
 * with digits, which the locale puts after "_".) Such keys skip the collator, the costliest part
 * of the check.
 */
function isPlainKey(key: string): boolean {
  // A loop rather than /^[a-z_]*$/: it runs for every parameter of every storefront request.
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if ((code < 0x61 || code > 0x7a) && code !== 0x5f) return false;
  }
  return true;
}
type Pair = [string, string];
const byCodeUnit = (a: Pair, b: Pair) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
const byLocaleKey = (a: Pair, b: Pair) => byLocale(a[0], b[0]);

/**
 * The secret as a KeyObject, made once: createHmac then skips converting the string key on
 * every request. One secret per process in practice; a different one replaces it.
 */
let hmacKey: { secret: string; key: KeyObject } | undefined;
function keyOf(secret: string): KeyObject {
  if (hmacKey?.secret !== secret) hmacKey = { secret, key: createSecretKey(Buffer.from(secret, "utf8")) };
  return hmacKey.key;
}

/** Sorted `key=value` pairs (repeated keys comma-joined), no separator, hex HMAC-SHA256. */
export function appProxySignature(params: QueryParams, secret: string): string {
  const query = ProxyQuery.from(params);
  const { names, values } = query;
  const pairs: Pair[] = [];
  let plain = true;
  for (let i = 0; i < names.length; i++) {
    const key = names[i]!;
    if (key === "signature") continue;
    // The library drops an empty `index` parameter that some proxies add; so do we.
    if (key === "index" && !query.get("index")) continue;
    pairs.push([key, values[i]!]);
    plain &&= isPlainKey(key);
  }
  // A stable sort keeps a repeated key's values in the order they came.
  pairs.sort(plain ? byCodeUnit : byLocaleKey);
  let message = "";
  for (let i = 0; i < pairs.length; i++) {
    const [key, value] = pairs[i]!;
    message += i > 0 && key === pairs[i - 1]![0] ? `,${value}` : `${key}=${value}`;
  }
  return createHmac("sha256", keyOf(secret)).update(message, "utf8").digest("hex");
}
