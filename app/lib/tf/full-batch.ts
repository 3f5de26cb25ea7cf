/**
 * The two pieces every small full-batch network here shares (the tiny recommender and the churn
 * network): seeded Glorot weights, and an Adam loop that frees its inputs and optimizer however
 * it ends, and the weights too when it fails.
 */
import { tf } from "./backend.server";

/** Glorot-uniform matrix from the seeded stream. */
export function glorot(rows: number, cols: number, random: () => number): tf.Variable {
  const limit = Math.sqrt(6 / (rows + cols));
  const values = Float32Array.from({ length: rows * cols }, () => (random() * 2 - 1) * limit);
  return tf.variable(tf.tensor2d(values, [rows, cols]));
}

/**
 * `epochs` Adam steps on `loss` over `weights`; the loss of each epoch `record` keeps is
 * returned. `inputs` (the batch tensors) are disposed at the end.
 */
export function fitWithAdam(
  loss: () => tf.Scalar,
  weights: tf.Variable[],
  options: { epochs: number; learningRate: number; inputs: tf.Tensor[]; record: (epoch: number) => boolean },
): number[] {
  const optimizer = tf.train.adam(options.learningRate);
  const lossHistory: number[] = [];
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const value = optimizer.minimize(loss, true, weights);
      if (options.record(epoch)) lossHistory.push(value?.dataSync()[0] ?? Number.NaN);
      value?.dispose();
    }
  } catch (err) {
    tf.dispose(weights);
    throw err;
  } finally {
    tf.dispose(options.inputs);
    optimizer.dispose();
  }
  return lossHistory;
}
