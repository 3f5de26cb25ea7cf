/**
 * `--metrics-compare`: each benchmark run with metrics off and on, alternately, in the same run
 * (issue 20: the hot paths must keep their figures with metrics on). "On" is METRICS_PORT=0 in the
 * environment of every process a benchmark starts: the app and worker record everything and serve
 * /metrics on a free port, as in production. Each figure is reported with metrics on, beside the
 * same figure with metrics off as its reference.
 */
import { median, result, type BenchResult } from "./lib";

/** The benchmarks whose hot paths metrics touch. */
export const METRICS_COMPARED = ["intake", "serving"];

export async function compareMetrics(
  name: string,
  run: () => Promise<BenchResult[]>,
  rounds: number,
): Promise<BenchResult[]> {
  const off: BenchResult[][] = [];
  const on: BenchResult[][] = [];
  const before = process.env.METRICS_PORT;
  try {
    for (let r = 0; r < rounds; r++) {
      for (const metrics of [false, true]) {
        process.stderr.write(`running ${name}, metrics ${metrics ? "on" : "off"} (round ${r + 1} of ${rounds})…\n`);
        if (metrics) process.env.METRICS_PORT = "0";
        else delete process.env.METRICS_PORT;
        (metrics ? on : off).push(await run());
      }
    }
  } finally {
    if (before === undefined) delete process.env.METRICS_PORT;
    else process.env.METRICS_PORT = before;
  }
  const ids = on[0]!.map((r) => r.id);
  return ids.map((id) => {
    const valueOf = (runs: BenchResult[][]) => median(runs.map((results) => results.find((r) => r.id === id)!.value));
    const unit = on[0]!.find((r) => r.id === id)!.unit;
    return result(`${id}.metrics_on`, valueOf(on), unit, valueOf(off), `median of ${rounds}; reference: metrics off`);
  });
}
