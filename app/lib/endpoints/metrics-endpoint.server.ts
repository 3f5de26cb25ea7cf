import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createAccessCheck, metricsHost, type MetricsAccessConfig } from "../metrics/access";
import { listen } from "../http/listen.server";
import type { Logger } from "../logger.server";

/** The text a scrape gets, with its content type (from prom-client's registry). */
export type RenderMetrics = () => Promise<{ contentType: string; body: string }>;

export interface MetricsEndpointOptions extends MetricsAccessConfig {
  /** METRICS_PORT; 0 takes any free port (the line printed at start says which). */
  port: number;
  /** "app" or "worker": names the process in its start-up line and errors. */
  service: string;
  render: RenderMetrics;
  log: Logger;
}

function refuse(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  res.end(`${message}\n`);
}

/**
 * GET /metrics on a port of its own, apart from the app's public one: Shopify and shoppers reach
 * the app's port, never this one. Who may read it is decided by metrics/access.ts. A port in use
 * rejects with PortInUseError, which the entry points print as one line before exiting.
 */
export async function startMetricsEndpoint(options: MetricsEndpointOptions) {
  const check = createAccessCheck(options);
  const host = metricsHost(options);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics") return refuse(res, 404, "Not found: metrics are at /metrics");
    if (req.method !== "GET" && req.method !== "HEAD") return refuse(res, 405, "Use GET", { Allow: "GET" });
    const access = check(req.socket.remoteAddress, req.headers.authorization);
    if (access === "forbidden") return refuse(res, 403, "Forbidden: this address is not in METRICS_ALLOW");
    if (access === "unauthorized")
      return refuse(res, 401, "Unauthorized: send Authorization: Bearer <METRICS_TOKEN>", {
        "WWW-Authenticate": 'Bearer realm="metrics"',
      });
    options.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { "Content-Type": contentType, "Cache-Control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (error: unknown) => {
        options.log.error("metrics.render_failed", { error });
        refuse(res, 500, "Metrics could not be read");
      },
    );
  });
  const port = await listen(server, options.port, host, "METRICS_PORT");
  // A plain line, like the app's own, so people and tests see where to scrape.
  process.stdout.write(`Affinity ${options.service} metrics on http://${host}:${port}/metrics\n`);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
