import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Shopify's token endpoint (`POST https://{shop}/admin/oauth/access_token`) for expiring offline
 * tokens, by the rules Shopify documents: an access token lives 3600 s, here on a clock the test
 * controls; every refresh rotates the refresh token; the previous refresh token keeps working
 * until its replacement is first used; a non-expiring token can be exchanged once for an expiring
 * pair (and retried for the same pair), after which it no longer opens the Admin API.
 */

export const ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 90 * 24 * 3600;
const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";

export interface TokenEndpointOptions {
  clientId: string;
  clientSecret: string;
  /** The non-expiring token every shop starts with (what storeOfflineSession stores). */
  legacyToken: string;
  scope: string;
  /** The clock tokens expire on, in ms. */
  now: () => number;
}

export type TokenFailure = "5xx" | "timeout";

export interface TokenRequest {
  shop: string;
  grantType: string;
  status: number | "no answer";
  /** The OAuth error code of a refused request. */
  error?: string;
}

interface RefreshLink {
  token: string;
  expiresAt: number;
  /** Whether this refresh token has been used: that retires the one before it. */
  used: boolean;
}

interface Grant {
  accessTokens: Map<string, number>;
  chain: RefreshLink[];
  revoked: boolean;
  /** The pair a migration issued, returned again to a retried migration until first refreshed. */
  migrated?: { accessToken: string; refreshToken: string };
}

export function createTokenEndpoint(options: TokenEndpointOptions) {
  const grants = new Map<string, Grant>();
  const requests: TokenRequest[] = [];
  /** Answers the next token requests with these failures, one each, in order. */
  const failures: TokenFailure[] = [];
  let delayMs = 0;

  const mint = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

  function issue(grant: Grant) {
    const accessToken = mint("shpat");
    grant.accessTokens.set(accessToken, options.now() + ACCESS_TOKEN_TTL_S * 1000);
    const refresh: RefreshLink = {
      token: mint("shprt"),
      expiresAt: options.now() + REFRESH_TOKEN_TTL_S * 1000,
      used: false,
    };
    grant.chain.push(refresh);
    return { accessToken, refreshToken: refresh.token };
  }

  const body = (pair: { accessToken: string; refreshToken: string }, grant: Grant) => ({
    access_token: pair.accessToken,
    scope: options.scope,
    expires_in: Math.round(((grant.accessTokens.get(pair.accessToken) ?? 0) - options.now()) / 1000),
    refresh_token: pair.refreshToken,
    refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
  });

  function refresh(shop: string, token: string) {
    const grant = grants.get(shop);
    const index = grant?.chain.findIndex((link) => link.token === token) ?? -1;
    if (!grant || grant.revoked || index < 0) return invalidGrant("The refresh token is invalid or was revoked.");
    const last = grant.chain.length - 1;
    // Usable: the newest, or the one before it while the newest has never been used.
    const usable = index === last || (index === last - 1 && !grant.chain[last]!.used);
    if (!usable) return invalidGrant("The refresh token was replaced and its replacement used.");
    if (grant.chain[index]!.expiresAt <= options.now()) return invalidGrant("The refresh token expired.");
    grant.chain[index]!.used = true;
    grant.chain.length = index + 1; // an unused replacement issued earlier is dropped
    grant.migrated = undefined;
    return { status: 200, body: body(issue(grant), grant) };
  }

  function migrate(shop: string, subject: string) {
    const existing = grants.get(shop);
    if (existing?.migrated && subject === options.legacyToken)
      return { status: 200, body: body(existing.migrated, existing) };
    if (subject !== options.legacyToken || existing) {
      return {
        status: 400,
        body: { error: "invalid_subject_token", error_description: "The subject token is invalid." },
      };
    }
    const grant: Grant = { accessTokens: new Map(), chain: [], revoked: false };
    grants.set(shop, grant);
    grant.migrated = issue(grant);
    return { status: 200, body: body(grant.migrated, grant) };
  }

  // A merchant's session token (App Bridge's id token) for this shop, signed with the app secret.
  // A revoked grant is replaced by a new one; a live grant gets one more pair, and the tokens it
  // issued before keep working (Shopify documents no invalidation on exchange), so two of a
  // page's loaders exchanging at once both end with working tokens.
  function exchangeIdToken(shop: string, idToken: string) {
    if (!validSessionToken(idToken, shop)) {
      return { status: 400, body: { error: "invalid_subject_token", error_description: "Invalid id token." } };
    }
    let grant = grants.get(shop);
    if (!grant || grant.revoked) {
      grant = { accessTokens: new Map(), chain: [], revoked: false };
      grants.set(shop, grant);
    }
    return { status: 200, body: body(issue(grant), grant) };
  }

  function validSessionToken(token: string, shop: string): boolean {
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || !signature) return false;
    const expected = createHmac("sha256", options.clientSecret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { dest?: string; aud?: string };
    return claims.aud === options.clientId && claims.dest === `https://${shop}`;
  }

  const invalidGrant = (description: string) => ({
    status: 400,
    body: { error: "invalid_grant", error_description: description },
  });

  /** Answers one token request; `null` means the endpoint never answers (a timeout). */
  async function answer(shop: string, raw: string, contentType: string) {
    const params: Record<string, string> = contentType.includes("json")
      ? (JSON.parse(raw || "{}") as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(raw));
    const grantType = String(params.grant_type ?? "");
    const record = (status: number | "no answer", error?: string) =>
      requests.push({ shop, grantType, status, ...(error ? { error } : {}) });
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const failure = failures.shift();
    if (failure === "timeout") {
      record("no answer");
      return null;
    }
    if (failure === "5xx") {
      record(503);
      return { status: 503, body: { errors: "Service Unavailable" } };
    }
    let result: { status: number; body: unknown };
    if (params.client_id !== options.clientId || params.client_secret !== options.clientSecret) {
      result = { status: 401, body: { error: "invalid_client", error_description: "Client authentication failed." } };
    } else if (grantType === "refresh_token") {
      result = refresh(shop, String(params.refresh_token ?? ""));
    } else if (
      grantType === TOKEN_EXCHANGE &&
      params.subject_token_type === OFFLINE_TOKEN_TYPE &&
      params.expiring === "1"
    ) {
      result = migrate(shop, String(params.subject_token ?? ""));
    } else if (
      grantType === TOKEN_EXCHANGE &&
      params.subject_token_type === ID_TOKEN_TYPE &&
      params.requested_token_type === OFFLINE_TOKEN_TYPE &&
      params.expiring === "1"
    ) {
      result = exchangeIdToken(shop, String(params.subject_token ?? ""));
    } else {
      result = { status: 400, body: { error: "unsupported_grant_type", error_description: grantType } };
    }
    record(result.status, (result.body as { error?: string }).error);
    return result;
  }

  return {
    answer,
    requests,
    failures,
    /** Makes every answer wait this long first, so concurrent requests overlap. */
    setDelay(ms: number) {
      delayMs = ms;
    },
    /** The merchant installed afresh: the shop's grant is gone and the non-expiring token works again. */
    reinstall(shop: string) {
      grants.delete(shop);
    },
    /** The merchant (or Shopify) revoked the app's grant: refreshes fail and its tokens stop working. */
    revoke(shop: string) {
      const grant = grants.get(shop);
      if (grant) grant.revoked = true;
    },
    /** Whether `token` opens the shop's Admin API now. */
    accepts(shop: string | undefined, token: string | undefined): boolean {
      if (!token) return false;
      const grant = shop ? grants.get(shop) : undefined;
      // The non-expiring token works until it has been exchanged for an expiring pair.
      if (token === options.legacyToken) return !grant;
      if (!grant || grant.revoked) return false;
      const expiresAt = grant.accessTokens.get(token);
      return expiresAt !== undefined && expiresAt > options.now();
    },
    /** Refresh tokens of the shop still usable. */
    usableRefreshTokens(shop: string): string[] {
      const grant = grants.get(shop);
      if (!grant || grant.revoked) return [];
      const last = grant.chain.length - 1;
      return grant.chain
        .filter((_, i) => i === last || (i === last - 1 && !grant.chain[last]!.used))
        .map((l) => l.token);
    },
  };
}

export type TokenEndpoint = ReturnType<typeof createTokenEndpoint>;
