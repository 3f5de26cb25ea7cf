/**
 * A deliberately small next-item recommender: softmax(W2 · relu(W1 · x + b1) + b2)
 * over a multi-hot basket x. It is the seed of the real model.
 *
 * Written with tfjs-core ops only: the first layer is a dense matmul over the
 * multi-hot vector instead of a gather-based embedding, because the gradient of
 * gather needs the UnsortedSegmentSum kernel, which the wasm backend lacks. This
 * way the same code trains on every rung of the backend ladder.
 */
import { activeTfBackend, tf } from "./backend.server";
import { fitWithAdam, glorot } from "./full-batch";
import { seededRandom } from "./seeded-random";

export interface TinyExample {
  /** Item indices already in the basket. */
  input: number[];
  /** Item index that came next. */
  target: number;
}

export interface TinyTrainOptions {
  /** Size of the item vocabulary; defaults to 1 + the largest index seen. */
  numItems?: number;
  epochs?: number;
  hidden?: number;
  seed?: number;
  learningRate?: number;
}

export interface TinyRecommender {
  numItems: number;
  /** Loss after each full-batch epoch (mean cross-entropy, nats). */
  lossHistory: number[];
  /** Next-item probabilities for a basket of item indices. */
  predict(input: number[]): number[];
  dispose(): void;
}

function multiHot(baskets: number[][], numItems: number): tf.Tensor2D {
  const values = new Float32Array(baskets.length * numItems);
  baskets.forEach((items, row) => {
    for (const item of items) {
      if (!Number.isInteger(item) || item < 0 || item >= numItems) {
        throw new RangeError(`item index ${item} outside 0..${numItems - 1}`);
      }
      values[row * numItems + item] = 1;
    }
  });
  return tf.tensor2d(values, [baskets.length, numItems]);
}

export function trainTinyRecommender(examples: TinyExample[], options: TinyTrainOptions = {}): TinyRecommender {
  if (!activeTfBackend()) throw new Error("call initTfBackend() before training");
  if (examples.length === 0) throw new Error("trainTinyRecommender needs at least one example");
  const { epochs = 100, hidden = 16, seed = 1, learningRate = 0.05 } = options;
  const numItems = options.numItems ?? 1 + Math.max(...examples.flatMap((e) => [...e.input, e.target]));

  const random = seededRandom(seed);
  // tidy frees the initial-value tensors; the variables keep their own reference.
  const weights = tf.tidy(() => [
    glorot(numItems, hidden, random),
    tf.variable(tf.zeros([hidden])),
    glorot(hidden, numItems, random),
    tf.variable(tf.zeros([numItems])),
  ]);
  const [w1, b1, w2, b2] = weights as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];

  const logits = (x: tf.Tensor2D) => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);

  const baskets = examples.map((e) => e.input);
  const targets = examples.map((e) => [e.target]);
  const x = multiHot(baskets, numItems);
  const y = multiHot(targets, numItems);
  // Mean cross-entropy of the next item; logSoftmax keeps it stable for large logits.
  const crossEntropy = () => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits(x))), 1))) as tf.Scalar;
  const lossHistory = fitWithAdam(crossEntropy, weights, {
    epochs,
    learningRate,
    inputs: [x, y],
    record: () => true,
  });

  return {
    numItems,
    lossHistory,
    predict: (input) => tf.tidy(() => Array.from(tf.softmax(logits(multiHot([input], numItems))).dataSync())),
    dispose: () => tf.dispose(weights),
  };
}
