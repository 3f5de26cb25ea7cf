/**
 * Gradients for the kernels our models differentiate through.
 *
 * Why this file exists: tfjs-core's Node entry point registers no gradients at
 * all. The official set lives in tfjs-core/dist/register_all_gradients.js, an
 * ES-module tree with extension-less imports that Node cannot load; normally the
 * @tensorflow/tfjs umbrella package bundles it, but we depend on tfjs-core only.
 * These mirror tfjs-core's own definitions. A kernel missing here fails loudly
 * ("gradient function not found for X"): add it here, with a gradient check in
 * test/unit/tf-backend.test.ts.
 */
import * as tf from "@tensorflow/tfjs-core";

function saved(tensors: tf.Tensor[], index: number): tf.Tensor {
  const t = tensors[index];
  if (!t) throw new Error(`gradient: saved tensor ${index} missing`);
  return t;
}

function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(dy)) throw new Error("gradient: expected a single upstream gradient");
  return dy;
}

/** Sums dy over the axes along which an input of `shape` was broadcast. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

/** dy of a reduction, reshaped so it broadcasts back over x. */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axis: unknown): tf.Tensor {
  // axis may be null (= every axis), which parseAxisParam expands.
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return tf.mul(tf.reshape(dy, shape), tf.ones(x.shape));
}

const binary = ["a", "b"];

const configs: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: binary,
    gradFunc: (dy, s) => ({
      a: () => unbroadcast(single(dy), saved(s, 0).shape),
      b: () => unbroadcast(single(dy), saved(s, 1).shape),
    }),
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: binary,
    gradFunc: (dy, s) => {
      const [a, b] = [saved(s, 0), saved(s, 1)];
      return {
        a: () => unbroadcast(tf.mul(single(dy), tf.cast(b, "float32")), a.shape),
        b: () => unbroadcast(tf.mul(single(dy), tf.cast(a, "float32")), b.shape),
      };
    },
  },
  { kernelName: tf.Neg, gradFunc: (dy) => ({ x: () => tf.neg(single(dy)) }) },
  {
    kernelName: tf.Relu,
    inputsToSave: ["x"],
    gradFunc: (dy, s) => ({ x: () => tf.mul(single(dy), tf.step(saved(s, 0))) }),
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ["x"],
    gradFunc: (dy, s, attrs) => ({ x: () => expandReduced(single(dy), saved(s, 0), attrs.axis) }),
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ["x"],
    gradFunc: (dy, s, attrs) => {
      const x = saved(s, 0);
      const reduced = tf.util.sizeFromShape(x.shape) / tf.util.sizeFromShape(single(dy).shape);
      return { x: () => tf.div(expandReduced(single(dy), x, attrs.axis), reduced) };
    },
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: binary,
    gradFunc: (dy, s, attrs) => {
      const [a, b, g] = [saved(s, 0), saved(s, 1), single(dy)];
      const tA = attrs.transposeA === true;
      const tB = attrs.transposeB === true;
      return {
        a: () => (tA ? tf.matMul(b, g, tB, true) : tf.matMul(g, b, false, !tB)),
        b: () => (tB ? tf.matMul(g, a, true, tA) : tf.matMul(a, g, !tA, false)),
      };
    },
  },
  // Reshape moves no numbers, so its gradient is dy in the input's shape. The recommender
  // needs it to broadcast per-customer gates over a [batch, feature, item] tensor.
  {
    kernelName: tf.Reshape,
    inputsToSave: ["x"],
    gradFunc: (dy, s) => ({ x: () => tf.reshape(single(dy), saved(s, 0).shape) }),
  },
];

/** Registers the gradients above unless some other package already did. Idempotent. */
export function registerTrainingGradients(): string[] {
  const added: string[] = [];
  for (const config of configs) {
    if (tf.getGradient(config.kernelName)) continue;
    tf.registerGradient(config);
    added.push(config.kernelName);
  }
  return added;
}
