import { describe, expect, it } from "vitest";
import { initTfBackend, tf } from "../../../app/lib/tf/backend.server";
import { constantTimes, matMulFast } from "../../../app/lib/model/fast-matmul";
import { gradientAgainstFiniteDifferences } from "../../helpers/finite-differences";

// Same style as test/unit/tf-backend.test.ts: central differences on functions that are
// linear or quadratic in the checked input, so the quotient is exact up to float32 rounding.
describe.each(["cpu", "wasm"] as const)("gradients added for the recommender (%s)", (backend) => {
  const t = (values: number[], shape: number[]) => () => tf.tensor(values, shape);
  const a23 = t([0.5, -1.2, 0.8, 1.5, -0.7, 0.3], [2, 3]);
  const p32 = t([0.4, -0.3, 1.2, 0.8, -1.5, 0.6], [3, 2]);
  const c22 = t([0.9, -0.4, 0.6, 1.3], [2, 2]);
  const c6 = t([0.3, -0.8, 1.2, 0.7, 0.5, -1.1], [3, 1, 2]);
  const weigh = (y: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(y, c));

  const cases: Array<[string, () => tf.Tensor, (x: tf.Tensor) => tf.Tensor]> = [
    ["Reshape", a23, (x) => weigh(tf.reshape(x, [3, 1, 2]), c6())],
    ["Reshape, quadratic", a23, (x) => tf.sum(tf.mul(tf.reshape(x, [6]), tf.reshape(x, [6])))],
    ["matMulFast wrt a", a23, (x) => weigh(matMulFast(x as tf.Tensor2D, p32() as tf.Tensor2D), c22())],
    ["matMulFast wrt b", p32, (x) => weigh(matMulFast(a23() as tf.Tensor2D, x as tf.Tensor2D), c22())],
    ["constantTimes wrt w", p32, (x) => weigh(constantTimes(a23() as tf.Tensor2D)(x as tf.Tensor2D), c22())],
    [
      "constantTimes, two products sharing one transpose",
      p32,
      (x) => {
        const times = constantTimes(a23() as tf.Tensor2D);
        return tf.add(weigh(times(x as tf.Tensor2D), c22()), weigh(times(tf.mul(x, x) as tf.Tensor2D), c22()));
      },
    ],
  ];

  it.each(cases)("%s matches finite differences", async (_name, point, f) => {
    await initTfBackend({ force: backend, log: () => {} });
    const { analytic, numeric } = gradientAgainstFiniteDifferences(point, f);
    analytic.forEach((g, i) => expect(g).toBeCloseTo(numeric[i] ?? Number.NaN, 3));
  });
});
