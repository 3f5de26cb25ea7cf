/**
 * A problem the person running the demo can fix (a busy port, no Redis, a read-only folder).
 * Its message says what happened and what to do; the demo prints it without a stack trace.
 */
export class DemoError extends Error {
  override name = "DemoError";
}

/** The text to show for any failure: a DemoError as it is, anything else with its stack. */
export function describeFailure(error: unknown): string {
  if (error instanceof DemoError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
