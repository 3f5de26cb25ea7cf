import { AggregatorRegistry } from "prom-client";
import { startMetricsEndpoint, type RenderMetrics } from "../endpoints/metrics-endpoint.server";
import type { Env } from "../env.server";
import type { Logger } from "../logger.server";
import { registry, startRecording } from "./definitions.server";

/** This process's own figures. */
export const localMetrics: RenderMetrics = async () => ({
  contentType: registry.contentType,
  body: await registry.metrics(),
});

/**
 * A cluster primary's answer: prom-client's AggregatorRegistry asks each serving process for its
 * figures over the cluster's IPC channel and adds them up, so one scrape covers every process.
 */
function clusterMetrics(): RenderMetrics {
  const aggregator = new AggregatorRegistry();
  return async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() });
}

/** Where a process stands in the app's cluster: alone, its primary, or one of the processes it forked. */
export type MetricsRole = "single" | "primary" | "forked";

/**
 * Sets up metrics for one process when METRICS_PORT is set: a forked process records and
 * answers its primary; a primary (which serves no HTTP) answers scrapes for all of them; a
 * single process does both. Without METRICS_PORT nothing is recorded or opened.
 */
export async function exposeMetrics(config: Env, service: string, role: MetricsRole, log: Logger) {
  if (config.METRICS_PORT === undefined) return null;
  if (role !== "primary") startRecording();
  if (role === "forked") {
    // Constructing one is what makes a forked process answer its primary's requests.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
    return null;
  }
  return startMetricsEndpoint({
    port: config.METRICS_PORT,
    allow: config.METRICS_ALLOW,
    token: config.METRICS_TOKEN,
    service,
    render: role === "primary" ? clusterMetrics() : localMetrics,
    log,
  });
}
