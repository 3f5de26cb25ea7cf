import { tf } from "../../app/lib/tf/backend.server";

/**
 * A registered gradient beside central finite differences of the same function at `point`, so a
 * test can hold the two to a tolerance. The function must return a scalar.
 */
export function gradientAgainstFiniteDifferences(
  point: () => tf.Tensor,
  f: (x: tf.Tensor) => tf.Tensor,
  eps = 1e-2,
): { analytic: number[]; numeric: number[] } {
  return tf.tidy(() => {
    const at = point();
    const values = at.dataSync();
    const probe = (i: number, delta: number) => {
      const shifted = Float32Array.from(values);
      shifted[i] = (shifted[i] ?? 0) + delta;
      return f(tf.tensor(shifted, at.shape)).dataSync()[0] ?? Number.NaN;
    };
    return {
      analytic: Array.from(tf.grad(f)(at).dataSync()),
      numeric: Array.from(values, (_, i) => (probe(i, eps) - probe(i, -eps)) / (2 * eps)),
    };
  });
}
