import { format } from "node:util";
import { afterEach, beforeEach, vi, type MockInstance } from "vitest";

// An unexpected console.error fails the test that caused it. A test that expects one takes it
// with takeConsoleErrors().
let captured: string[] = [];
let spy: MockInstance<typeof console.error> | undefined;

beforeEach(() => {
  captured = [];
  spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    captured.push(format(...args));
  });
});

afterEach(() => {
  const unexpected = captured;
  captured = [];
  spy?.mockRestore();
  if (unexpected.length > 0) throw new Error(`Unexpected console.error:\n${unexpected.join("\n")}`);
});

/** Returns (and clears) what console.error received during the current test. */
export function takeConsoleErrors(): string[] {
  const taken = captured;
  captured = [];
  return taken;
}
