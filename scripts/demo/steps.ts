import { describeFailure } from "./errors";

export interface StepRecord {
  title: string;
  ok: boolean;
  detail: string;
  seconds: number;
}

/** Thrown by `run` after a step failed and was reported; the demo stops there. */
export class StepFailedError extends Error {
  override name = "StepFailedError";
}

/**
 * Runs the demo's steps in order, printing each as it starts and how it ended, and keeps the
 * record the summary is made from. Output goes to stdout; a failure's explanation too, so one
 * stream tells the whole story when it is saved to a file.
 */
export class StepRunner {
  readonly records: StepRecord[] = [];
  private stopping = false;

  constructor(private readonly total: number) {}

  /** After Ctrl-C, steps that fail because their processes are going away are not reported. */
  markStopping(): void {
    this.stopping = true;
  }

  get failed(): boolean {
    return this.records.some((r) => !r.ok);
  }

  async run<T>(title: string, work: () => Promise<T>, describe: (value: T) => string): Promise<T> {
    const number = this.records.length + 1;
    process.stdout.write(`\n[${number}/${this.total}] ${title}\n`);
    const started = performance.now();
    try {
      const value = await work();
      const detail = describe(value);
      const seconds = (performance.now() - started) / 1000;
      this.records.push({ title, ok: true, detail, seconds });
      process.stdout.write(`  ✓ ${detail} (${seconds.toFixed(1)} s)\n`);
      return value;
    } catch (error) {
      const detail = describeFailure(error);
      this.records.push({ title, ok: false, detail, seconds: (performance.now() - started) / 1000 });
      if (!this.stopping) process.stdout.write(`  ✗ ${detail.split("\n").join("\n    ")}\n`);
      throw new StepFailedError(title);
    }
  }
}
