import { createRequire } from "node:module";
import { describe, expect, it, vi } from "vitest";
import {
  activeTfBackend,
  initTfBackend,
  parseTfBackendChoice,
  tf,
  TfBackendUnavailableError,
  type TfBackendInfo,
  type TfLog,
} from "../../app/lib/tf/backend.server";
import { trainTinyRecommender, type TinyExample } from "../../app/lib/tf/tiny-model";
import { gradientAgainstFiniteDifferences } from "../helpers/finite-differences";

// tfjs-core keeps one global engine per process, so these tests run in order and
// each one states the backend it needs instead of assuming the previous state.
// The happy path must print nothing to console.error (test/setup fails the test if it does).

const tfjsNodeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
})();

const events: Array<{ event: string; fields: Record<string, unknown> }> = [];
const log: TfLog = (event, fields) => events.push({ event, fields });

describe("TF_BACKEND parsing", () => {
  it("defaults to auto and rejects unknown values", () => {
    expect(parseTfBackendChoice(undefined)).toBe("auto");
    expect(parseTfBackendChoice("")).toBe("auto");
    expect(parseTfBackendChoice(" WASM ")).toBe("wasm");
    expect(() => parseTfBackendChoice("gpu")).toThrow(/auto\|tensorflow\|wasm\|cpu, got "gpu"/);
  });
});

describe("backend ladder", () => {
  let auto: TfBackendInfo;

  it.runIf(!tfjsNodeInstalled)("auto mode records the tfjs-node failure and settles on wasm", async () => {
    auto = await initTfBackend({ log });
    expect(auto.name).toBe("wasm");
    expect(auto.forced).toBe(false);
    expect(auto.tried.map((t) => [t.name, t.ok])).toEqual([
      ["tensorflow", false],
      ["wasm", true],
    ]);
    expect(auto.tried[0]?.error).toMatch(/tfjs-node/);
    expect(tf.getBackend()).toBe("wasm");
    expect(activeTfBackend()).toBe(auto);
    expect(events).toEqual([{ event: "tf.backend", fields: { backend: "wasm", forced: false, tried: auto.tried } }]);
  });

  it.runIf(tfjsNodeInstalled)("auto mode uses tfjs-node when it is installed", async () => {
    auto = await initTfBackend({ log });
    expect(auto.name).toBe("tensorflow");
  });

  it("is idempotent: a second call returns the same info and logs nothing", async () => {
    const before = events.length;
    expect(await initTfBackend({ log })).toBe(auto);
    expect(events.length).toBe(before);
  });

  it.runIf(!tfjsNodeInstalled)(
    "forcing tensorflow throws a TfBackendUnavailableError that says what to do",
    async () => {
      const err: unknown = await initTfBackend({ force: "tensorflow", log }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TfBackendUnavailableError);
      const typed = err as TfBackendUnavailableError;
      expect(typed.backend).toBe("tensorflow");
      expect(typed.tried).toEqual([{ name: "tensorflow", ok: false, error: expect.stringMatching(/tfjs-node/) }]);
      expect(typed.message).toMatch(/"tensorflow" could not be loaded: .*tfjs-node/);
      expect(typed.message).toMatch(/TF_BACKEND=auto/);
      expect(typed.message).toMatch(/libtensorflow/);
      // A failed force leaves the engine where it was.
      expect(tf.getBackend()).toBe(auto.name);
      expect(activeTfBackend()).toBe(auto);
    },
  );

  it("forcing cpu works and, by default, logs one JSON line", async () => {
    const consoleLog = vi.spyOn(console, "log").mockImplementation(() => {});
    const info = await initTfBackend({ force: "cpu" });
    const lines = consoleLog.mock.calls.map((call) => String(call[0]));
    consoleLog.mockRestore();
    expect(info).toEqual({ name: "cpu", forced: true, tried: [{ name: "cpu", ok: true }] });
    expect(tf.getBackend()).toBe("cpu");
    expect(activeTfBackend()).toBe(info);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "info",
      event: "tf.backend",
      backend: "cpu",
      forced: true,
    });
  });

  it("going back to auto re-activates the backend chosen first", async () => {
    expect(await initTfBackend({ log })).toBe(auto);
    expect(tf.getBackend()).toBe(auto.name);
  });
});

// Gradients are registered by app/lib/tf/gradients.ts; check each against central
// differences. Every case is linear or quadratic in the checked input (relu is
// sampled away from its kink), so the difference quotient is exact up to float32 rounding.
describe("registered gradients", () => {
  // Built lazily: no backend exists while vitest collects the tests.
  const t = (values: number[], shape: number[]) => () => tf.tensor(values, shape);
  const a23 = t([0.5, -1.2, 0.8, 1.5, -0.7, 0.3], [2, 3]);
  const b23 = t([1.1, 0.4, -0.9, -0.6, 1.3, 0.2], [2, 3]);
  const c23 = t([0.3, -0.8, 1.2, 0.7, 0.5, -1.1], [2, 3]);
  const c22 = t([0.9, -0.4, 0.6, 1.3], [2, 2]);
  const v3 = t([0.2, -1.4, 0.9], [3]);
  const p32 = t([0.4, -0.3, 1.2, 0.8, -1.5, 0.6], [3, 2]);
  const weigh = (y: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(y, c));

  const cases: Array<[string, () => tf.Tensor, (x: tf.Tensor) => tf.Tensor]> = [
    ["Add, broadcast input", v3, (x) => weigh(tf.add(a23(), x), c23())],
    ["Multiply, broadcast input", v3, (x) => weigh(tf.mul(a23(), x), c23())],
    ["Neg", a23, (x) => weigh(tf.neg(x), c23())],
    ["Relu", a23, (x) => weigh(tf.relu(x), c23())],
    ["Sum over an axis", a23, (x) => tf.sum(tf.mul(tf.sum(x, 1), tf.tensor([0.5, -2])))],
    ["Mean, all and per axis", a23, (x) => tf.add(tf.mean(tf.mul(x, x)), weigh(tf.mean(x, 0, true), v3()))],
    ["BatchMatMul a·bᵀ wrt a", a23, (x) => weigh(tf.matMul(x, b23(), false, true), c22())],
    ["BatchMatMul a·bᵀ wrt b", b23, (x) => weigh(tf.matMul(a23(), x, false, true), c22())],
    ["BatchMatMul aᵀ·b wrt a", a23, (x) => weigh(tf.matMul(x, b23(), true, false), tf.ones([3, 3]))],
    ["BatchMatMul aᵀ·bᵀ wrt b", p32, (x) => weigh(tf.matMul(b23(), x, true, true), tf.ones([3, 3]))],
  ];

  it.each(cases)("%s matches finite differences", async (_name, point, f) => {
    await initTfBackend({ force: "cpu", log });
    const { analytic, numeric } = gradientAgainstFiniteDifferences(point, f);
    analytic.forEach((g, i) => expect(g).toBeCloseTo(numeric[i] ?? Number.NaN, 3));
  });
});

// Customers who bought A (0) buy B (1) next; who bought C (2) buy D (3). E..H
// (4..7) are noise items that follow each other in a cycle. One in four lone-A
// baskets is followed by C, so B should win with about 0.75, not certainty.
const [A, B, C, D] = [0, 1, 2, 3];
const noise = [4, 5, 6, 7];
const examples: TinyExample[] = [
  ...[[], [], [], ...noise.map((n) => [n])].flatMap((extra) => [
    { input: [A, ...extra], target: B },
    { input: [C, ...extra], target: D },
  ]),
  ...noise.map((n, i) => ({ input: [n], target: noise[(i + 1) % noise.length] ?? n })),
  { input: [A], target: C },
];
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
const finalLoss: Record<string, number> = {};

describe.each(["wasm", "cpu"] as const)("tiny recommender on %s", (backend) => {
  it("learns B after A and D after C, and the loss falls", async () => {
    await initTfBackend({ force: backend, log });
    expect(tf.getBackend()).toBe(backend);
    const tensorsBefore = tf.memory().numTensors;

    const model = trainTinyRecommender(examples, { epochs: 150, hidden: 16, seed: 7 });
    const first = model.lossHistory[0] ?? Number.NaN;
    const last = model.lossHistory.at(-1) ?? Number.NaN;
    expect(model.lossHistory).toHaveLength(150);
    expect(first).toBeCloseTo(Math.log(8), 0); // near-uniform start over 8 items
    expect(last).toBeLessThan(first * 0.5);

    const afterA = model.predict([A]);
    expect(afterA).toHaveLength(8);
    expect(afterA.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
    expect(argmax(afterA)).toBe(B);
    expect(afterA[B]).toBeCloseTo(0.75, 1);
    expect(argmax(model.predict([C]))).toBe(D);
    expect(argmax(model.predict([C, 5]))).toBe(D);
    finalLoss[backend] = last;

    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it("is reproducible for a given seed", async () => {
    await initTfBackend({ force: backend, log });
    const runs = [1, 2].map(() => {
      const model = trainTinyRecommender(examples, { epochs: 20, seed: 3 });
      model.dispose();
      return model.lossHistory;
    });
    expect(runs[0]).toEqual(runs[1]);
  });
});

describe("backends agree", () => {
  it("wasm and cpu reach the same loss within float32 noise", () => {
    expect(finalLoss.wasm).toBeDefined();
    expect(finalLoss.wasm).toBeCloseTo(finalLoss.cpu ?? Number.NaN, 2);
  });
});
