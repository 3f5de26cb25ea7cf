import { describe, expect, it } from "vitest";
import {
  checkRecorded,
  hasValgrind,
  measureBareInstructions,
  measureInstructions,
  type InstructionRun,
} from "../../bench/metrics-cost";

/**
 * The harness of `npm run bench -- metrics-cost` (issue 20), with a handful of requests: it must
 * count the server's instructions in each measured phase, and its "on" run must really record
 * metrics while its "off" run records none. Not timed: only counts and counters are asserted.
 */
// Two app servers under callgrind take minutes to start on a 2-core machine: too long for the
// default suite, so this runs when asked for (METRICS_COST_TEST=1) on a machine with valgrind.
const runHarness = hasValgrind() && process.env.METRICS_COST_TEST === "1";

describe.skipIf(!runHarness)("metrics-cost harness (METRICS_COST_TEST=1 and valgrind)", () => {
  it("counts each phase's instructions, with metrics recorded only in the on run", async () => {
    const warmup = 3;
    const requests = 4;
    // Tiny on purpose: this checks the harness, not the figures (the bench measures those).
    // Side by side: each is a server under callgrind, mostly waiting on its own start-up.
    const [off, on] = await Promise.all(
      [false, true].map((metrics) =>
        measureInstructions({ metrics, warmup, requests, rewarm: warmup, dbDir: "var/test" }),
      ),
    );
    for (const run of [off!, on!]) {
      for (const phase of [run.instructions.intake, run.instructions.serving]) {
        expect(phase.total).toBeGreaterThan(0);
        // The compiler's share is part of the total, never more.
        expect(phase.compile).toBeGreaterThanOrEqual(0);
        expect(phase.compile).toBeLessThan(phase.total);
        // Each request allocates something; the marker saw no collection inside the window.
        expect(phase.allocated).toBeGreaterThan(0);
      }
    }
    expect(off!.recorded).toMatchObject({ recording: false, webhooks: 0, recommendations: 0 });
    // Both servers' serving caches ran on the bench's step clock, not the wall clock.
    expect(off!.recorded.clockReads).toBeGreaterThan(0);
    expect(on!.recorded.clockReads).toBeGreaterThan(0);
    // Warm-up, the requests after instrumentation starts and the measured ones, all counted.
    expect(on!.recorded.recording).toBe(true);
    expect(on!.recorded.webhooks).toBeGreaterThanOrEqual(warmup + requests);
    expect(on!.recorded.webhooks).toBe(on!.sent.webhooks);
    expect(on!.recorded.recommendations).toBe(on!.sent.recommendations);
    expect(() => checkRecorded(off!)).not.toThrow();
    expect(() => checkRecorded(on!)).not.toThrow();
  }, 1_200_000);

  it("counts the bare HTTP server's instructions, serving-cost's reference", async () => {
    const bare = await measureBareInstructions({ warmup: 3, requests: 4, bodyBytes: 2_000, rewarm: 3 });
    expect(bare.total).toBeGreaterThan(0);
    expect(bare.compile).toBeGreaterThanOrEqual(0);
    expect(bare.compile).toBeLessThan(bare.total);
  }, 600_000);
});

describe("metrics-cost's check of what each run recorded", () => {
  const cost = { total: 1, compile: 0, allocated: 1 };
  const run = (metrics: boolean, recorded: InstructionRun["recorded"]): InstructionRun => ({
    metrics,
    requests: 10,
    instructions: { intake: cost, serving: cost },
    sent: { webhooks: 15, recommendations: 15 },
    recorded,
  });

  const clockReads = 40;

  it("refuses an off run that recorded anything", () => {
    expect(() => checkRecorded(run(false, { recording: false, webhooks: 2, recommendations: 0, clockReads }))).toThrow(
      /metrics off: sent .* the server recorded .*"webhooks":2/,
    );
    expect(() => checkRecorded(run(false, { recording: true, webhooks: 0, recommendations: 0, clockReads }))).toThrow(
      /metrics off/,
    );
  });

  it("refuses an on run whose counters missed requests", () => {
    expect(() => checkRecorded(run(true, { recording: true, webhooks: 15, recommendations: 14, clockReads }))).toThrow(
      /metrics on: sent .* the server recorded .*"recommendations":14/,
    );
    expect(() =>
      checkRecorded(run(true, { recording: true, webhooks: 15, recommendations: 15, clockReads })),
    ).not.toThrow();
  });

  it("refuses a run whose serving caches kept the wall clock", () => {
    expect(() =>
      checkRecorded(run(true, { recording: true, webhooks: 15, recommendations: 15, clockReads: 0 })),
    ).toThrow(/never read the bench's step clock/);
  });
});
