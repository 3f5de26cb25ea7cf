/**
 * A one-line progress bar with a live rate and ETA. On a terminal it redraws in place; when the
 * output is a file or a pipe (CI, `--exit` under a test) it prints a plain line now and then,
 * so logs stay readable.
 */
export interface ProgressOptions {
  label: string;
  total: number;
  /** What is counted, e.g. "webhooks". */
  unit: string;
  stream?: NodeJS.WriteStream;
  /** Seconds between lines when the stream is not a terminal. @defaultValue 5 */
  plainEverySeconds?: number;
  /** Show the measured rate and ETA; off when the caller's note says better (training). @defaultValue true */
  rate?: boolean;
}

export interface Progress {
  /** Sets the count done (and optionally a new total and a note shown after the numbers). */
  update(done: number, options?: { total?: number; note?: string }): void;
  /** Draws the final state and ends the line. */
  finish(note?: string): void;
}

const BAR_WIDTH = 24;

let silenced = false;

/** Stops every progress bar from drawing, e.g. once the demo is shutting down. */
export function silenceProgress(): void {
  silenced = true;
}
/** The rate is measured over this many recent seconds, so it follows the current speed. */
const RATE_WINDOW_MS = 3_000;

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stdout;
  const tty = stream.isTTY === true;
  const samples: Array<{ at: number; done: number }> = [];
  let total = options.total;
  let done = 0;
  let note = "";
  let lastDraw = 0;
  let finished = false;
  let final = false;
  let start: { at: number; done: number } | undefined;

  const rate = () => {
    // The last line shows the average over the whole run; until then, the recent speed.
    if (final && start) {
      const elapsed = Date.now() - start.at;
      return elapsed >= 250 ? ((done - start.done) * 1000) / elapsed : null;
    }
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (!first || !last || last.at - first.at < 250) return null;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  };
  const line = () => {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = tty ? `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ` : "";
    const perSecond = options.rate === false ? null : rate();
    const speed = perSecond === null ? "" : `  ${formatNumber(perSecond)}/s`;
    const eta = perSecond && perSecond > 0 && done < total ? `  ETA ${formatSeconds((total - done) / perSecond)}` : "";
    const counts = `${formatNumber(done)}/${total > 0 ? formatNumber(total) : "?"} ${options.unit}`;
    return `  ${options.label.padEnd(10)} ${bar}${String(Math.floor(fraction * 100)).padStart(3)}%  ${counts}${speed}${eta}${note ? `  ${note}` : ""}`;
  };
  const draw = (force: boolean) => {
    if (silenced) return;
    const now = Date.now();
    if (tty) {
      if (!force && now - lastDraw < 100) return;
      const width = stream.columns ?? 120;
      stream.write(
        `\r${line()
          .slice(0, width - 1)
          .padEnd(width - 1)}`,
      );
    } else {
      if (!force && now - lastDraw < (options.plainEverySeconds ?? 5) * 1000) return;
      stream.write(`${line()}\n`);
    }
    lastDraw = now;
  };

  return {
    update(value, extra = {}) {
      if (finished) return;
      done = value;
      if (extra.total !== undefined) total = extra.total;
      if (extra.note !== undefined) note = extra.note;
      const now = Date.now();
      start ??= { at: now, done };
      samples.push({ at: now, done });
      while (samples.length > 2 && now - samples[0]!.at > RATE_WINDOW_MS) samples.shift();
      draw(false);
    },
    finish(finalNote) {
      if (finished) return;
      if (finalNote !== undefined) note = finalNote;
      final = true;
      draw(true);
      if (tty && !silenced) stream.write("\n");
      finished = true;
    },
  };
}

export function formatNumber(value: number): string {
  return Math.round(value).toLocaleString("en");
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
