/**
 * Reading what callgrind wrote for one window of `npm run bench -- metrics-cost`: the window's
 * instructions, and the part of them V8's optimising compiler took.
 *
 * Why the compiler is taken out: V8 tiers up for thousands of requests after start-up, and a full
 * collection drops optimised code that holds objects which died, so the code is compiled again
 * when it is hot. With 300 requests between the bench's one collection and the measured windows,
 * those windows held 39 to 57 % compiler work; with 3,000 (metrics-cost's re-warm now), V8's trace
 * shows one compilation per window (ADR 009). Compiling is paid once per function, not per
 * request, so a steady server's cost per request is the rest.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";

export interface WindowInstructions {
  /** Every instruction the server executed in the window. */
  total: number;
  /** Of those, the optimising compiler's (inclusive of everything it called). */
  compile: number;
}

/** The functions through which V8 enters its optimising compiler; neither calls the other. */
const COMPILER_ENTRIES = [
  /v8::internal::Compiler::CompileOptimized\(/,
  /v8::internal::Compiler::CompileOptimizedOSR\(/,
];

/** The instruction total of one callgrind dump file. */
export function totalOf(file: string): number {
  const text = readFileSync(file, "utf8");
  const total = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  if (!total) throw new Error(`callgrind dump ${file} has no instruction total`);
  return Number(total[1]);
}

/**
 * Inclusive instructions of each compiler entry, summed, from `callgrind_annotate --inclusive=yes`
 * (which adds up the call graph callgrind recorded). 0 when the window compiled nothing.
 */
export async function compileOf(file: string): Promise<number> {
  const { stdout } = await promisify(execFile)("callgrind_annotate", ["--inclusive=yes", "--threshold=100", file], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return inclusiveOf(stdout, COMPILER_ENTRIES);
}

/** Sums the first line matching each pattern in callgrind_annotate's output ("12,345 (1.0%)  fn"). */
export function inclusiveOf(annotated: string, entries: readonly RegExp[]): number {
  const lines = annotated.split("\n");
  let sum = 0;
  for (const entry of entries) {
    const line = lines.find((l) => entry.test(l));
    const count = line && /^\s*([\d,]+)\s/.exec(line);
    if (count) sum += Number(count[1]!.replace(/,/g, ""));
  }
  return sum;
}

export async function windowInstructions(file: string): Promise<WindowInstructions> {
  return { total: totalOf(file), compile: await compileOf(file) };
}
