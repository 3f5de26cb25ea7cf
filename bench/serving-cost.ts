/**
 * `npm run bench -- serving-cost`: what one App Proxy GET (signature check, request parsing,
 * Redis reads, Liquid answer) costs the app server, in CPU instructions and JavaScript heap bytes,
 * counted by callgrind (the method of bench/metrics-cost.ts, serving alone, metrics off). Issue 19
 * asks for serving throughput of at least half a bare Node HTTP server's; the app's extra cost is
 * user-space work per request, and this figure counts it whatever else the machine is doing,
 * where a timed run on this shared machine cannot (ADR 009, "Why the ratio moves").
 *
 * Two servers side by side: one where each request is the next shopper of bench/serving.ts's
 * sequence (customers seldom repeat, as on a busy storefront), and one where the requests cycle
 * through 500 shoppers (the same customers' lists come back, as in a shop with a few regulars).
 * Not in the default run: a few minutes under valgrind.
 */
import { measureSideBySide, type InstructionRun } from "./metrics-cost";
import { result, round, type BenchResult } from "./lib";

/** Shoppers the second server's requests cycle through. */
const CYCLED = 500;

export async function benchServingCost(options: { quick: boolean }): Promise<BenchResult[]> {
  process.stderr.write("serving-cost: the app server under callgrind, new shoppers and cycled shoppers…\n");
  const measured = await measureSideBySide("serving-cost", options.quick, [
    { metrics: false, phases: ["serving"] },
    { metrics: false, phases: ["serving"], shoppers: CYCLED },
  ]);
  if (!measured) return [];
  const { warmup, requests } = measured;
  const [fresh, cycled] = measured.runs;
  const sizes = `${requests} sequential signed Liquid GETs after ${warmup} of warm-up, metrics off`;
  return [
    costResults("new", fresh!, `${sizes}, each request the next shopper`),
    costResults("cycled", cycled!, `${sizes}, ${CYCLED} shoppers cycled`),
  ].flat();
}

/** Instructions per request without the optimising compiler (bench/callgrind.ts), and heap bytes per request. */
function costResults(id: string, run: InstructionRun, what: string): BenchResult[] {
  const cost = run.instructions.serving;
  const compileShare = `${Math.round((100 * cost.compile) / cost.total)} %`;
  return [
    result(
      `serving.cost_instr_${id}`,
      round((cost.total - cost.compile) / run.requests, 0),
      "instructions/request",
      null,
      `server-side instructions per request under callgrind, ${what}; optimising compiler (${compileShare} of the total) left out`,
    ),
    result(
      `serving.cost_alloc_${id}`,
      round(cost.allocated / run.requests, 0),
      "bytes/request",
      null,
      `JavaScript heap bytes allocated per request (no collection inside the window), ${what}`,
    ),
  ];
}
