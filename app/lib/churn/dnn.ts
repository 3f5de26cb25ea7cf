/**
 * The churn network: a small MLP (inputs -> 32 -> 16 -> 2, ReLU, softmax) trained with Adam on
 * binary cross-entropy. tfjs-core ops only, like app/lib/tf/tiny-model.ts, so it trains on every
 * rung of the backend ladder (tensorflow, wasm, cpu). Inputs are standardised with the training
 * set's mean and spread, kept with the model so serving scales the same way.
 */
import { activeTfBackend, tf } from "../tf/backend.server";
import { fitWithAdam, glorot } from "../tf/full-batch";
import { seededRandom } from "../tf/seeded-random";

export interface ChurnNetOptions {
  epochs?: number;
  hidden?: [number, number];
  learningRate?: number;
  l2?: number;
  seed?: number;
}

export interface ChurnNet {
  /** Raw (uncalibrated) churn probability per row. */
  predict(rows: readonly (readonly number[])[]): number[];
  lossHistory: number[];
  dispose(): void;
}

function standardiser(rows: readonly (readonly number[])[]) {
  const d = rows[0]!.length;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const r of rows) r.forEach((v, k) => (mean[k]! += v / rows.length));
  for (const r of rows) r.forEach((v, k) => (sd[k]! += (v - mean[k]!) ** 2 / rows.length));
  const scale = sd.map((v) => (v > 1e-12 ? 1 / Math.sqrt(v) : 0));
  return (batch: readonly (readonly number[])[]) =>
    tf.tensor2d(Float32Array.from(batch.flatMap((r) => r.map((v, k) => (v - mean[k]!) * scale[k]!))), [
      batch.length,
      d,
    ]);
}

export function trainChurnNet(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  options: ChurnNetOptions = {},
): ChurnNet {
  if (!activeTfBackend()) throw new Error("call initTfBackend() before training");
  if (rows.length === 0) throw new Error("trainChurnNet needs at least one example");
  const { epochs = 120, hidden = [32, 16], learningRate = 0.01, l2 = 0.01, seed = 7 } = options;
  const toTensor = standardiser(rows);
  const random = seededRandom(seed);
  const d = rows[0]!.length;
  const weights = tf.tidy(() => [
    glorot(d, hidden[0], random),
    tf.variable(tf.zeros([hidden[0]])),
    glorot(hidden[0], hidden[1], random),
    tf.variable(tf.zeros([hidden[1]])),
    glorot(hidden[1], 2, random),
    tf.variable(tf.zeros([2])),
  ]) as tf.Variable[];
  const [w1, b1, w2, b2, w3, b3] = weights as [
    tf.Variable,
    tf.Variable,
    tf.Variable,
    tf.Variable,
    tf.Variable,
    tf.Variable,
  ];
  const logits = (x: tf.Tensor2D) =>
    tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2)), w3), b3);

  const x = toTensor(rows);
  // Two output columns (stays, churns) under a softmax equal one sigmoid, and let the loss use
  // logSoftmax, whose gradient every backend has (the gradients registered in app/lib/tf cover
  // add, mul, neg, relu, sum, mean, matMul only).
  const y = tf.tensor2d(Float32Array.from(labels.flatMap((l) => [1 - l, l])), [labels.length, 2]);
  const loss = () =>
    tf.tidy(() => {
      const crossEntropy = tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits(x))), 1)));
      const squares = [w1, w2, w3].map((w) => tf.sum(tf.mul(w, w)));
      const penalty = tf.mul(l2, tf.add(tf.add(squares[0]!, squares[1]!), squares[2]!));
      return tf.add(crossEntropy, penalty) as tf.Scalar;
    });
  const lossHistory = fitWithAdam(loss, weights, {
    epochs,
    learningRate,
    inputs: [x, y],
    record: (epoch) => epoch % 25 === 0 || epoch === epochs - 1,
  });
  return {
    lossHistory,
    predict: (batch) =>
      batch.length === 0
        ? []
        : tf.tidy(() => {
            const p = tf.softmax(logits(toTensor(batch))).dataSync();
            return Array.from({ length: batch.length }, (_, i) => p[2 * i + 1]!);
          }),
    dispose: () => tf.dispose(weights),
  };
}
