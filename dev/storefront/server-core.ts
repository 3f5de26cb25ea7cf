import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, extname, join } from "node:path";
import { EXTENSION_DIR } from "./render-block";

/*
 * The parts every local storefront shares (the browser tests' and the demo's preview): serving
 * the extension's real assets, plain answers, and an HTTP server that turns a handler's failure
 * into a 500 instead of a hung request.
 */

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

export function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" }).end(body);
}

/** `GET /assets/<file>`: the extension's own .js and .css, as Shopify's CDN would serve them. */
export async function sendAsset(res: ServerResponse, path: string): Promise<void> {
  const file = basename(path);
  if (![".js", ".css"].includes(extname(file))) return send(res, 404, "text/plain", "not found");
  const body = await readFile(join(EXTENSION_DIR, "assets", file)).catch(() => null);
  return body ? send(res, 200, TYPES[extname(file)]!, body) : send(res, 404, "text/plain", "not found");
}

export interface LocalServer {
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port` 0: any free one). */
export async function startLocalServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
): Promise<LocalServer> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, "text/plain", String(error));
      else res.end();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", done);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
