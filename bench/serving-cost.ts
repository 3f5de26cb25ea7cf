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
 * Then bench/bare-http.ts (one process) under callgrind, sent the same URLs: what Node's HTTP layer
 * alone costs a request, the reference each app figure is divided by (`ratio`).
 * Not in the default run: a few minutes under valgrind.
 */
import { renderRecommendationsLiquidBytes } from "../app/lib/recommendations/storefront-liquid";
import type { StoredCard } from "../app/lib/storefront-store/card";
import { measureBareInstructions, measureSideBySide, type InstructionRun, type PhaseCost } from "./metrics-cost";
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
  process.stderr.write("serving-cost: the bare HTTP server under callgrind…\n");
  const bare = await measureBareInstructions({ warmup, requests, bodyBytes: answerBytes() });
  const bareCost = (bare.total - bare.compile) / requests;
  const sizes = `${requests} sequential signed Liquid GETs after ${warmup} of warm-up, metrics off`;
  return [
    costResults("new", fresh!, `${sizes}, each request the next shopper`, bareCost),
    costResults("cycled", cycled!, `${sizes}, ${CYCLED} shoppers cycled`, bareCost),
    bareResult(bare, requests, sizes),
  ].flat();
}

/** The size of a bench answer: 12 candidates (8 shown), handles as the seeded catalog spells them. */
function answerBytes(): number {
  const products = Array.from({ length: 12 }, (_, i) => ({ url: `/products/product-${1_000 + i}`, available: true }));
  return renderRecommendationsLiquidBytes({ recommendationId: "x".repeat(12), products: products as StoredCard[] }, 8)
    .length;
}

function bareResult(bare: PhaseCost, requests: number, sizes: string): BenchResult {
  return result(
    "serving.cost_instr_bare",
    round((bare.total - bare.compile) / requests, 0),
    "instructions/request",
    null,
    `bench/bare-http.ts (one process, a constant body of the answer's size) under callgrind, ${sizes}; ` +
      `the reference of serving.cost_instr_new and _cycled`,
  );
}

/** Instructions per request without the optimising compiler (bench/callgrind.ts), and heap bytes per request. */
function costResults(id: string, run: InstructionRun, what: string, bare: number): BenchResult[] {
  const cost = run.instructions.serving;
  const compileShare = `${Math.round((100 * cost.compile) / cost.total)} %`;
  return [
    result(
      `serving.cost_instr_${id}`,
      round((cost.total - cost.compile) / run.requests, 0),
      "instructions/request",
      round(bare, 0),
      `server-side instructions per request under callgrind, ${what}; optimising compiler (${compileShare} of the total) left out; reference: the bare HTTP server's`,
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
