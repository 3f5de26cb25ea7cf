/**
 * The recommender: a YouTube-style candidate network (Covington et al. 2016) whose logits are
 * blended, per customer, with explicit repeat and discovery signals.
 *
 *   h      = relu(x·W1 + userFeatures·Wu + b1)         x = recency-pooled bag of past items
 *   u      = h·W2                                       the user vector
 *   gate_c = h·g_c + b_c                                 one per channel c (features.ts)
 *   logit_j = u·e_j + b_j + Σ_c gate_c · channel_c(j)    full softmax over the catalog
 *
 * The gates are what lets the model "know which of the two a shop needs": a wholesaler who
 * reorders the same 30 lines leans on frequency and cycle features, a gift buyer on
 * co-occurrence and trend. b_c starts at 1, the hand-set blend, so an untrained (or barely trained)
 * model already ranks like a sensible heuristic and training only has to improve on it.
 *
 * tfjs-core ops only, items as dense multi-hot matmuls (no gather): see ADR 002.
 */
import { seededRandom } from "../tf/tiny-model";
import { tf } from "../tf/backend.server";
import { TrainingDivergedError } from "./errors";
import { matMulFast } from "./fast-matmul";
import { CHANNELS, POPULARITY_MIX, USER_FEATURES, type FeatureRow } from "./features";
import type { ShopSnapshots } from "./snapshots";

export interface DnnOptions {
  /** Tower width. @defaultValue 64 */
  hidden?: number;
  /** User/item vector size. @defaultValue 32 */
  dim?: number;
  /** @defaultValue 512 */
  batchSize?: number;
  /** Adam step. @defaultValue 0.005 */
  learningRate?: number;
  /** L2 on the item matrices (per example). @defaultValue 1e-5 */
  l2?: number;
  /** @defaultValue 1 */
  seed?: number;
  /**
   * Blend the explicit item features. Off leaves a bare softmax DNN, which is what tests use
   * to show that a weak model is not promoted. @defaultValue true
   */
  itemFeatures?: boolean;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
  examplesPerSecond: number;
  etaSeconds: number;
}

export interface TrainingExample {
  row: FeatureRow;
  targets: ArrayLike<number>;
}

type Weights = {
  w1: tf.Variable;
  wu: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  items: tf.Variable;
  itemBias: tf.Variable;
  /** Per channel: gate weights [hidden, 1] and bias [1]. */
  gates: Array<{ w: tf.Variable; b: tf.Variable }>;
};

export class RecommenderDnn {
  readonly options: Required<DnnOptions>;
  readonly weights: Weights;
  private optimizer: tf.Optimizer | null = null;

  constructor(
    readonly numItems: number,
    options: DnnOptions = {},
  ) {
    this.options = {
      hidden: 64,
      dim: 32,
      batchSize: 512,
      learningRate: 0.005,
      l2: 1e-5,
      seed: 1,
      itemFeatures: true,
      ...options,
    };
    const { hidden, dim, seed } = this.options;
    const random = seededRandom(seed);
    const uniform = (rows: number, cols: number, limit: number) =>
      tf.variable(
        tf.tensor2d(
          Float32Array.from({ length: rows * cols }, () => (random() * 2 - 1) * limit),
          [rows, cols],
        ),
      );
    const glorot = (rows: number, cols: number) => uniform(rows, cols, Math.sqrt(6 / (rows + cols)));
    this.weights = tf.tidy(() => ({
      w1: glorot(numItems, hidden),
      wu: glorot(USER_FEATURES.length, hidden),
      b1: tf.variable(tf.zeros([hidden])),
      w2: glorot(hidden, dim),
      // Small item vectors: the dot-product logits start near zero, so the initial blend rules.
      // Stored [dim, items] so the forward pass needs no transpose.
      items: uniform(dim, numItems, 0.01),
      itemBias: tf.variable(tf.zeros([numItems])),
      gates: CHANNELS.map(() => ({
        w: uniform(hidden, 1, 0.01),
        b: tf.variable(tf.tensor1d([this.options.itemFeatures ? 1 : 0])),
      })),
    }));
  }

  private variables(): tf.Variable[] {
    const w = this.weights;
    const list = [w.w1, w.wu, w.b1, w.w2, w.items, w.itemBias];
    return this.options.itemFeatures ? [...list, ...w.gates.flatMap((g) => [g.w, g.b])] : list;
  }

  private logits(x: tf.Tensor2D, user: tf.Tensor2D, features: tf.Tensor2D[] | null): tf.Tensor2D {
    const w = this.weights;
    const h = tf.relu(tf.add(tf.add(matMulFast(x, w.w1 as tf.Tensor2D), tf.matMul(user, w.wu)), w.b1));
    let logits = tf.add(matMulFast(tf.matMul(h, w.w2), w.items as tf.Tensor2D), w.itemBias);
    if (!features) return logits as tf.Tensor2D;
    // One [B,N] tensor per channel times a per-row gate [B,1]: on wasm a broadcast multiply
    // of that shape is several times cheaper than a batched [B,1,C]×[B,C,N] matmul.
    features.forEach((feature, f) => {
      const gate = w.gates[f]!;
      logits = tf.add(logits, tf.mul(feature, tf.add(tf.matMul(h, gate.w), gate.b)));
    });
    return logits as tf.Tensor2D;
  }

  /** Dense batch tensors from sparse rows (built per batch: the full set would not fit). */
  private batch(rows: readonly FeatureRow[], snapshots: ShopSnapshots) {
    const n = this.numItems;
    const b = rows.length;
    const x = new Float32Array(b * n);
    const user = new Float32Array(b * USER_FEATURES.length);
    const channels = this.options.itemFeatures ? CHANNELS.map(() => new Float32Array(b * n)) : null;
    rows.forEach((row, r) => {
      row.inputIndex.forEach((item, k) => (x[r * n + item] = row.inputValue[k]!));
      user.set(row.user, r * USER_FEATURES.length);
      if (!channels) return;
      const [repeat, discovery, popularity] = channels as [Float32Array, Float32Array, Float32Array];
      const m = row.featureIndex.length;
      for (let k = 0; k < m; k++) {
        repeat[r * n + row.featureIndex[k]!] = row.featureValue[k]!;
        discovery[r * n + row.featureIndex[k]!] = row.featureValue[m + k]!;
      }
      const pop = snapshots.popularity[row.day]!;
      const trend = snapshots.trend[row.day]!;
      for (let j = 0; j < n; j++) {
        popularity[r * n + j] = POPULARITY_MIX.popularity * pop[j]! + POPULARITY_MIX.trend * trend[j]!;
      }
    });
    return {
      x: tf.tensor2d(x, [b, n]),
      user: tf.tensor2d(user, [b, USER_FEATURES.length]),
      features: channels ? channels.map((c) => tf.tensor2d(c, [b, n])) : null,
    };
  }

  /**
   * Minibatch Adam over `examples` for `epochs` passes, continuing from the current weights
   * (the rolling evaluation trains in stages). Throws TrainingDivergedError on a non-finite
   * loss. `epochOffset`/`totalEpochs` only shape the progress report.
   */
  fit(
    examples: readonly TrainingExample[],
    snapshots: ShopSnapshots,
    epochs: number,
    progress: { epochOffset?: number; totalEpochs?: number; onEpoch?: (p: EpochProgress) => void } = {},
  ): number[] {
    if (examples.length === 0 || epochs <= 0) return [];
    const { batchSize, learningRate, l2, seed } = this.options;
    this.optimizer ??= tf.train.adam(learningRate);
    const random = seededRandom(seed + (progress.epochOffset ?? 0) * 7919);
    const order = examples.map((_, i) => i);
    const losses: number[] = [];
    const totalEpochs = progress.totalEpochs ?? epochs;
    for (let epoch = 0; epoch < epochs; epoch++) {
      const started = performance.now();
      // Fisher–Yates with the seeded stream: same seed, same batches, same weights.
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      let sum = 0;
      const globalEpoch = (progress.epochOffset ?? 0) + epoch + 1;
      for (let start = 0; start < order.length; start += batchSize) {
        const picked = order.slice(start, start + batchSize).map((i) => examples[i]!);
        const batchLoss = this.step(picked, snapshots, l2);
        // Stop at the first bad batch: Adam would otherwise spread NaN into every weight.
        if (!Number.isFinite(batchLoss)) throw new TrainingDivergedError(globalEpoch, batchLoss);
        sum += batchLoss * picked.length;
      }
      const loss = sum / order.length;
      losses.push(loss);
      const seconds = (performance.now() - started) / 1000;
      progress.onEpoch?.({
        epoch: globalEpoch,
        epochs: totalEpochs,
        loss,
        examplesPerSecond: order.length / Math.max(seconds, 1e-6),
        etaSeconds: seconds * (totalEpochs - globalEpoch),
      });
    }
    return losses;
  }

  private step(examples: readonly TrainingExample[], snapshots: ShopSnapshots, l2: number): number {
    const n = this.numItems;
    const y = new Float32Array(examples.length * n);
    examples.forEach((e, r) => {
      const share = 1 / Math.max(e.targets.length, 1);
      for (let k = 0; k < e.targets.length; k++) y[r * n + e.targets[k]!] = share;
    });
    const input = this.batch(
      examples.map((e) => e.row),
      snapshots,
    );
    const target = tf.tensor2d(y, [examples.length, n]);
    try {
      const loss = this.optimizer!.minimize(
        () => {
          // Cross-entropy against the order's items (each 1/|order|), as in a multi-label softmax.
          const ce = tf.neg(
            tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(this.logits(input.x, input.user, input.features))), 1)),
          );
          const w = this.weights;
          const reg = tf.add(tf.sum(tf.mul(w.items, w.items)), tf.sum(tf.mul(w.w1, w.w1)));
          return tf.add(ce, tf.mul(reg, l2)) as tf.Scalar;
        },
        true,
        this.variables(),
      );
      const value = loss?.dataSync()[0] ?? Number.NaN;
      loss?.dispose();
      return value;
    } finally {
      tf.dispose([input.x, input.user, ...(input.features ?? []), target]);
    }
  }

  /** Logits for each row (higher = better), computed in batches. */
  score(rows: readonly FeatureRow[], snapshots: ShopSnapshots): Float32Array[] {
    const out: Float32Array[] = [];
    for (let start = 0; start < rows.length; start += this.options.batchSize) {
      const input = this.batch(rows.slice(start, start + this.options.batchSize), snapshots);
      // dataSync outside tidy: tidy would walk every element of a returned typed array.
      const logits = tf.tidy(() => this.logits(input.x, input.user, input.features));
      const values = logits.dataSync() as Float32Array;
      tf.dispose([logits, input.x, input.user, ...(input.features ?? [])]);
      for (let r = 0; r * this.numItems < values.length; r++) {
        out.push(values.slice(r * this.numItems, (r + 1) * this.numItems));
      }
    }
    return out;
  }

  dispose(): void {
    const { gates, ...matrices } = this.weights;
    tf.dispose([...Object.values(matrices), ...gates.flatMap((g) => [g.w, g.b])]);
    this.optimizer?.dispose();
    this.optimizer = null;
  }
}
