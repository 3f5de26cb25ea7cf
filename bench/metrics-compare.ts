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

/**
 * Alternating off/on rounds. A p99 here moves by ±30 % between runs with metrics off alone, so
 * one pair says little; the median of five pairs is steadier, but still no evidence at 5 %: the
 * instruction counts of `metrics-cost` (run beside these) are.
 */
export const COMPARE_ROUNDS = { quick: 1, full: 5 };

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
    const valuesOf = (runs: BenchResult[][]) => runs.map((results) => results.find((r) => r.id === id)!.value);
    const unit = on[0]!.find((r) => r.id === id)!.unit;
    // The spread of the "off" rounds alone shows how much of the on/off ratio is noise.
    const spread = `${Math.min(...valuesOf(off))}–${Math.max(...valuesOf(off))}`;
    return result(
      `${id}.metrics_on`,
      median(valuesOf(on)),
      unit,
      median(valuesOf(off)),
      `median of ${rounds} alternating rounds; reference: metrics off (off rounds ranged ${spread})`,
    );
  });
}
