/**
 * a·b with a backward pass that transposes explicitly. The registered BatchMatMul gradient
 * asks the kernel for transposed operands, and the wasm kernel is ~7× slower with a
 * transpose flag than a Transpose followed by a plain matmul (measured on [512,3659]ᵀ·[512,64]:
 * 348 ms against 46 ms). That one difference decided whether training fits in 90 s.
 */
import { tf } from "../tf/backend.server";

const fast = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(sb)), tf.matMul(tf.transpose(sa), g)];
    },
  };
});

export function matMulFast(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return fast(a, b) as tf.Tensor2D;
}

/**
 * `w ↦ x·w` for a constant input `x` (the feature matrix): the backward pass computes only the
 * weight gradient xᵀ·dy. Through matMulFast each use of x also paid for a transpose of x and a
 * dx = dy·wᵀ nobody reads; x is [rows·candidates, features] (≈ 50k × 31 a batch), so those were
 * the largest tensors of a step. One transpose of x is shared by every product made here.
 */
export function constantTimes(x: tf.Tensor2D): (w: tf.Tensor2D) => tf.Tensor2D {
  // Made in the first backward pass and freed by the gradient scope that made it.
  let transposed: tf.Tensor2D | null = null;
  const times = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [w, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    // Saved, so x outlives the forward pass even when it was made inside the differentiated function.
    save([x]);
    return {
      value: tf.matMul(x, w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        if (!transposed || transposed.isDisposed) transposed = tf.transpose(saved[0] as tf.Tensor2D);
        return [tf.matMul(transposed, dy as tf.Tensor2D)];
      },
    };
  });
  return (w) => times(w) as tf.Tensor2D;
}
