import type { z } from "zod";

/**
 * Reading a bulk operation's JSONL result. Each line is one object; objects of a nested
 * connection (a product's variants, an order's line items) are lines of their own that name
 * their parent in `__parentId`.
 *
 * Ordering: since API 2026-01 `bulkOperationRunQuery` defaults to `groupObjects: false`, and then
 * children are NOT guaranteed to follow their parent. With `groupObjects: true` Shopify places
 * each parent's children directly below it. The backfill asks for grouping so it can stream: a
 * parent is complete as soon as the next parent line arrives, and a resumed import can restart at
 * any parent boundary. A child that does not belong to the parent above it is reported as an
 * error rather than silently dropped.
 */

/** A line of the bulk result that is not what the query asked for. Retrying cannot fix it. */
export class BulkLineError extends Error {
  override name = "BulkLineError";
  constructor(
    readonly lineNumber: number,
    detail: string,
  ) {
    super(`bulk result line ${lineNumber}: ${detail}`);
  }
}

/** A parent with its children and the (1-based, inclusive) span of lines they came from. */
export interface BulkGroup<P, C> {
  parent: P;
  children: C[];
  firstLine: number;
  lastLine: number;
}

export interface BulkShape<P extends { id: string }, C> {
  parent: z.ZodType<P>;
  child: z.ZodType<C>;
}

/**
 * Takes lines one at a time and hands back each parent once all its children have been read.
 * The first `skipLines` lines are counted but not parsed: they were applied by an earlier run.
 */
export class BulkGroupReader<P extends { id: string }, C> {
  private current: BulkGroup<P, C> | undefined;
  private lineNumber = 0;

  constructor(
    private readonly shape: BulkShape<P, C>,
    private readonly skipLines = 0,
  ) {}

  /** Returns the previous parent's group when `line` starts a new parent; otherwise undefined. */
  push(line: string): BulkGroup<P, C> | undefined {
    const lineNumber = ++this.lineNumber;
    if (lineNumber <= this.skipLines || line.trim() === "") return undefined;
    const raw = parseObject(line, lineNumber);
    const parentId = raw.__parentId;
    if (parentId === undefined) {
      const done = this.current;
      this.current = {
        parent: validate(this.shape.parent, raw, lineNumber),
        children: [],
        firstLine: lineNumber,
        lastLine: lineNumber,
      };
      return done;
    }
    if (!this.current || this.current.parent.id !== parentId) {
      throw new BulkLineError(
        lineNumber,
        `child of ${String(parentId)} is not directly below its parent (was the operation run with groupObjects: true?)`,
      );
    }
    this.current.children.push(validate(this.shape.child, raw, lineNumber));
    this.current.lastLine = lineNumber;
    return undefined;
  }

  /** The last parent, once the input has ended. */
  end(): BulkGroup<P, C> | undefined {
    const done = this.current;
    this.current = undefined;
    return done;
  }
}

function parseObject(line: string, lineNumber: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new BulkLineError(lineNumber, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new BulkLineError(lineNumber, "not a JSON object");
  return value as Record<string, unknown>;
}

function validate<T>(schema: z.ZodType<T>, raw: unknown, lineNumber: number): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 3).map((i) => `${i.path.join(".") || "(object)"}: ${i.message}`);
  throw new BulkLineError(lineNumber, `unexpected shape: ${problems.join("; ")}`);
}

/**
 * Splits a byte stream into lines without holding more than one partial line, so a result file
 * of any size streams in constant memory. Accepts "\n" and "\r\n".
 */
export async function* splitLines(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let partial = "";
  for await (const chunk of chunks) {
    partial += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) yield line.endsWith("\r") ? line.slice(0, -1) : line;
  }
  partial += decoder.decode();
  if (partial !== "") yield partial;
}
