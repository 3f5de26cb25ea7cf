/**
 * The serving benchmark's second reference: a bare Node HTTP server with as many processes as the
 * app (node:cluster sharing one port, as the app does), answering every request with a constant
 * body of the size the app answers. What Node's HTTP layer allows on this machine, with no
 * signature, Redis or ranking: `serving.http_limit_ratio` is the app's throughput over this.
 *
 *   PORT=… PROCESSES=… BODY_BYTES=… node --import tsx bench/bare-http.ts
 *
 * With SINGLE=1 it answers in the started process itself, without node:cluster: the serving-cost
 * bench runs it so under callgrind, as it runs the app's one process (bench/metrics-cost.ts).
 */
import cluster from "node:cluster";
import http from "node:http";

const port = Number(process.env.PORT);
const processes = Math.max(1, Number(process.env.PROCESSES) || 1);
const body = Buffer.alloc(Math.max(1, Number(process.env.BODY_BYTES) || 1), "x");
const headers = { "Content-Type": "application/liquid", "Cache-Control": "no-store" };

function serve() {
  return http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, headers);
    res.end(body);
  });
}

if (process.env.SINGLE === "1") {
  serve().listen(port, "127.0.0.1", () => console.log(`bare http listening on ${port} with 1 process`));
} else if (cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < processes; i++) {
    cluster.fork().once("listening", () => {
      if (++listening === processes) console.log(`bare http listening on ${port} with ${processes} processes`);
    });
  }
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} else {
  serve().listen(port, "127.0.0.1");
}
