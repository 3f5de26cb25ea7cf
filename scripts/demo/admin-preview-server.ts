import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { APP_BRIDGE_URL, appBridgeStandIn } from "../../dev/app-bridge-stand-in";
import { embeddedQuery, mintSessionToken } from "../../dev/session-token";
import { adminPreviewPage } from "./admin-preview-page";

export interface AdminPreviewOptions {
  /** Where the app runs (the demo's production build). */
  appOrigin: string;
  shop: string;
  apiKey: string;
  secret: string;
}

/** Paths the preview answers itself; everything else is the app's. */
export const DEV_PATHS = {
  appBridge: "/__affinity-dev/app-bridge.js",
  sessionToken: "/__affinity-dev/session-token",
} as const;

/**
 * The Shopify admin, played locally. The page at `/` is the top frame and embeds the app in an
 * iframe, as the admin does. The frame's requests come back to this server, which forwards them
 * to the app unchanged, except in two places where Shopify's CDN and admin would otherwise be
 * needed: the App Bridge script URL in the app's HTML points at a stand-in served here (whose
 * `shopify.idToken()` returns session tokens signed with the app secret), and the app's
 * `frame-ancestors` policy, which names only Shopify's admin, is replaced by `'self'` so this
 * page may frame it. The app itself is the real production build, untouched.
 */
export function createAdminPreviewServer(options: AdminPreviewOptions): Server {
  const mint = () => mintSessionToken({ shop: options.shop, apiKey: options.apiKey, secret: options.secret });
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const answer = async () => {
      if (req.method === "GET" && path === "/") {
        const frame = `/app?${embeddedQuery(options.shop, await mint())}`;
        return send(res, 200, "text/html; charset=utf-8", adminPreviewPage({ shop: options.shop, frame }));
      }
      if (path === DEV_PATHS.appBridge) {
        const script = appBridgeStandIn({
          apiKey: options.apiKey,
          shop: options.shop,
          tokenUrl: DEV_PATHS.sessionToken,
        });
        return send(res, 200, "text/javascript; charset=utf-8", script);
      }
      if (path === DEV_PATHS.sessionToken) {
        return send(res, 200, "application/json", JSON.stringify({ token: await mint() }));
      }
      return forward(options.appOrigin, req, res);
    };
    answer().catch((error: Error) => {
      if (!res.headersSent) send(res, 502, "text/plain; charset=utf-8", `admin preview: ${error.message}\n`);
      else res.destroy(error);
    });
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "Content-Type": type,
    "Cache-Control": "no-store",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Passes a request to the app and its answer back; only HTML documents are rewritten. */
function forward(appOrigin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = new URL(req.url ?? "/", appOrigin);
  // Uncompressed answers, so the HTML can be rewritten; this is one machine, size does not matter.
  const { "accept-encoding": _dropped, ...headers } = req.headers;
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
      const outHeaders = rewriteHeaders(answer.headers);
      if (!String(answer.headers["content-type"] ?? "").startsWith("text/html")) {
        res.writeHead(answer.statusCode ?? 502, outHeaders);
        answer.pipe(res).on("finish", resolve).on("error", reject);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => chunks.push(chunk));
      answer.on("error", reject);
      answer.on("end", () => {
        const html = Buffer.concat(chunks).toString("utf8").replaceAll(APP_BRIDGE_URL, DEV_PATHS.appBridge);
        res.writeHead(answer.statusCode ?? 502, { ...outHeaders, "content-length": String(Buffer.byteLength(html)) });
        res.end(html, resolve);
      });
    });
    upstream.on("error", reject);
    req.pipe(upstream);
  });
}

function rewriteHeaders(headers: IncomingMessage["headers"]): IncomingMessage["headers"] {
  const out = { ...headers };
  delete out["content-length"];
  delete out["transfer-encoding"];
  const csp = out["content-security-policy"];
  if (typeof csp === "string")
    out["content-security-policy"] = csp.replace(/frame-ancestors[^;]*/, "frame-ancestors 'self'");
  const link = out.link;
  if (typeof link === "string") out.link = link.replaceAll(APP_BRIDGE_URL, DEV_PATHS.appBridge);
  return out;
}
