/**
 * Gridline values for a chart whose data peaks at `max`: 0 and three or four round steps
 * (1, 2 or 5 times a power of ten) that reach at least `max`. Pure.
 */
export function niceTicks(max: number, target = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / target;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks = [0];
  while (ticks[ticks.length - 1]! < max) ticks.push(+(ticks.length * step).toPrecision(12));
  return ticks;
}
