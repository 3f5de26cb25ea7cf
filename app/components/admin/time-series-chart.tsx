import { useEffect, useRef, useState } from "react";
import { BlockStack, InlineStack, Text } from "@shopify/polaris";
import { formatDay } from "../../lib/admin/format";
import { niceTicks } from "../../lib/admin/chart-scale";

export interface Series {
  name: string;
  color: string;
  kind: "bar" | "line";
  /** One value per day; null leaves a gap in a line. */
  values: Array<number | null>;
}

interface Props {
  title: string;
  days: string[];
  series: Series[];
  formatValue: (value: number) => string;
  /** Read out by screen readers in place of the drawing. */
  description: string;
}

/** The width the server draws at; the browser redraws at the card's measured width. */
const DEFAULT_WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 64 };
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
/** Room for one day label ("Nov 27" at 11 px). */
const LABEL_PX = 56;

/**
 * The drawing's width in CSS pixels: the container's, kept current. Drawing at the real width
 * keeps the 11 px labels 11 px on a phone, where a scaled-down viewBox would shrink them.
 */
function useMeasuredWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry?.contentRect.width ?? 0);
      if (measured > 0) setWidth(measured);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}

/**
 * A small daily chart in plain SVG, styled with Polaris colours and type: bars and lines over
 * the same days, a few round-number gridlines, and day labels that thin out on long ranges.
 * No chart library: nothing else is needed, and it renders on the server as it does in the browser.
 */
export function TimeSeriesChart({ title, days, series, formatValue, description }: Props) {
  const { ref, width } = useMeasuredWidth();
  const plotWidth = width - PAD.left - PAD.right;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ticks = niceTicks(Math.max(0, ...values));
  const top = ticks[ticks.length - 1] || 1;
  const slot = plotWidth / Math.max(days.length, 1);
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const y = (v: number) => PAD.top + PLOT_H - (v / top) * PLOT_H;
  const labelEvery = Math.ceil(days.length / Math.max(2, Math.min(8, Math.floor(plotWidth / LABEL_PX))));
  const bars = series.filter((s) => s.kind === "bar");
  const barWidth = Math.max(2, Math.min(28, (slot * 0.7) / Math.max(bars.length, 1)));

  return (
    <BlockStack gap="200">
      <InlineStack align="space-between" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {title}
        </Text>
        <InlineStack gap="300">
          {series.map((s) => (
            <InlineStack key={s.name} gap="100" blockAlign="center">
              <svg width="12" height="12" aria-hidden="true">
                <rect width="12" height="12" rx="3" fill={s.color} />
              </svg>
              <Text as="span" variant="bodySm" tone="subdued">
                {s.name}
              </Text>
            </InlineStack>
          ))}
        </InlineStack>
      </InlineStack>
      <div ref={ref}>
        <svg viewBox={`0 0 ${width} ${HEIGHT}`} width="100%" role="img" aria-label={description}>
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={PAD.left} x2={width - PAD.right} y1={y(tick)} y2={y(tick)} stroke="#e3e3e3" strokeWidth="1" />
              <text x={PAD.left - 8} y={y(tick) + 4} textAnchor="end" fontSize="11" fill="#616161">
                {formatValue(tick)}
              </text>
            </g>
          ))}
          {bars.map((s, b) =>
            s.values.map((v, i) =>
              v ? (
                <rect
                  key={`${s.name}-${days[i]}`}
                  x={x(i) - (barWidth * bars.length) / 2 + b * barWidth}
                  y={y(v)}
                  width={barWidth - 1}
                  height={PAD.top + PLOT_H - y(v)}
                  rx="2"
                  fill={s.color}
                >
                  <title>{`${formatDay(days[i]!, "short")}: ${formatValue(v)}`}</title>
                </rect>
              ) : null,
            ),
          )}
          {series
            .filter((s) => s.kind === "line")
            .map((s) => (
              <g key={s.name}>
                {segments(s.values).map((segment) => (
                  <polyline
                    key={segment[0]}
                    points={segment.map((i) => `${x(i)},${y(s.values[i]!)}`).join(" ")}
                    fill="none"
                    stroke={s.color}
                    strokeWidth="2"
                    strokeLinejoin="round"
                  />
                ))}
                {s.values.map((v, i) =>
                  v === null ? null : (
                    <circle key={days[i]} cx={x(i)} cy={y(v)} r={days.length > 45 ? 1.5 : 3} fill={s.color}>
                      <title>{`${s.name}, ${formatDay(days[i]!, "short")}: ${formatValue(v)}`}</title>
                    </circle>
                  ),
                )}
              </g>
            ))}
          {days.map((day, i) =>
            i % labelEvery === 0 ? (
              <text key={day} x={x(i)} y={HEIGHT - 8} textAnchor="middle" fontSize="11" fill="#616161">
                {formatDay(day, "short")}
              </text>
            ) : null,
          )}
        </svg>
      </div>
    </BlockStack>
  );
}

/** Runs of consecutive non-null indexes: a line breaks over days without data. */
function segments(values: Array<number | null>): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push(i);
  });
  if (run.length) runs.push(run);
  return runs;
}
