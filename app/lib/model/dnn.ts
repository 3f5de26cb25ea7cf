/**
 * The recommender: a YouTube-style candidate network (Covington et al. 2016) whose logits are
 * blended, per customer, with explicit repeat and discovery signals.
 *
 *   h      = relu(x·W1 + userFeatures·Wu + b1)         x = recency-pooled bag of past items
 *   u      = h·W2                                       the user vector
 *   gates  = h·Wg + bg                                   one weight per item feature
 *   logit_j = u·e_j + b_j + Σ_f gates_f · feature_f(j)   full softmax over the catalog
 *
 * The gates are what lets the model "know which of the two a shop needs": a wholesaler who
 * reorders the same 30 lines leans on frequency and cycle features, a gift buyer on
 * co-occurrence and trend. bg starts at a hand-set blend, so an untrained (or barely trained)
 * model already ranks like a sensible heuristic and training only has to improve on it.
 *
 * tfjs-core ops only, items as dense multi-hot matmuls (no gather): see ADR 002.
 */
import { seededRandom } from "../tf/tiny-model";
import { tf } from "../tf/backend.server";
import { TrainingDivergedError } from "./errors";
import { NUM_ITEM_FEATURES, SPARSE_FEATURES, USER_FEATURES, type FeatureRow } from "./features";
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

/** Initial blend: a frequency-and-recency repeat ranker plus co-occurrence and trend. */
const INITIAL_GATES: Record<string, number> = {
  freq: 4,
  share: 2,
  recent: 1,
  recentLong: 2,
  cycle: 1,
  cooc: 3,
  coocRecent: 1,
  popularity: 2,
  trend: 2,
};

type Weights = {
  w1: tf.Variable;
  wu: tf.Variable;
  b1: tf.Variable;
  w2: tf.Variable;
  items: tf.Variable;
  itemBias: tf.Variable;
  wg: tf.Variable;
  bg: tf.Variable;
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
    const names = [...SPARSE_FEATURES, "popularity", "trend"];
    this.weights = tf.tidy(() => ({
      w1: glorot(numItems, hidden),
      wu: glorot(USER_FEATURES.length, hidden),
      b1: tf.variable(tf.zeros([hidden])),
      w2: glorot(hidden, dim),
      // Small item vectors: the dot-product logits start near zero, so the initial blend rules.
      items: uniform(numItems, dim, 0.01),
      itemBias: tf.variable(tf.zeros([numItems])),
      wg: uniform(hidden, NUM_ITEM_FEATURES, 0.01),
      bg: tf.variable(tf.tensor1d(names.map((name) => (this.options.itemFeatures ? (INITIAL_GATES[name] ?? 0) : 0)))),
    }));
  }

  private variables(): tf.Variable[] {
    const w = this.weights;
    const list = [w.w1, w.wu, w.b1, w.w2, w.items, w.itemBias];
    return this.options.itemFeatures ? [...list, w.wg, w.bg] : list;
  }

  private logits(x: tf.Tensor2D, user: tf.Tensor2D, features: tf.Tensor3D | null): tf.Tensor2D {
    const w = this.weights;
    const h = tf.relu(tf.add(tf.add(tf.matMul(x, w.w1), tf.matMul(user, w.wu)), w.b1));
    const dot = tf.add(tf.matMul(tf.matMul(h, w.w2), w.items, false, true), w.itemBias);
    if (!features) return dot as tf.Tensor2D;
    // Per-row gates [B,1,F] × features [B,F,N]: one batched matmul instead of a broadcast
    // multiply and a sum, which on wasm is several times faster forwards and backwards.
    const batch = x.shape[0];
    const gates = tf.reshape(tf.add(tf.matMul(h, w.wg), w.bg), [batch, 1, NUM_ITEM_FEATURES]);
    return tf.add(dot, tf.reshape(tf.matMul(gates, features), [batch, this.numItems])) as tf.Tensor2D;
  }

  /** Dense batch tensors from sparse rows (built per batch: the full set would not fit). */
  private batch(rows: readonly FeatureRow[], snapshots: ShopSnapshots) {
    const n = this.numItems;
    const f = NUM_ITEM_FEATURES;
    const s = SPARSE_FEATURES.length;
    const x = new Float32Array(rows.length * n);
    const user = new Float32Array(rows.length * USER_FEATURES.length);
    const feats = this.options.itemFeatures ? new Float32Array(rows.length * f * n) : null;
    rows.forEach((row, r) => {
      row.inputIndex.forEach((item, k) => (x[r * n + item] = row.inputValue[k]!));
      user.set(row.user, r * USER_FEATURES.length);
      if (!feats) return;
      const m = row.featureIndex.length;
      for (let fi = 0; fi < s; fi++) {
        const base = (r * f + fi) * n;
        for (let k = 0; k < m; k++) feats[base + row.featureIndex[k]!] = row.featureValue[fi * m + k]!;
      }
      feats.set(snapshots.popularity[row.day]!, (r * f + s) * n);
      feats.set(snapshots.trend[row.day]!, (r * f + s + 1) * n);
    });
    return {
      x: tf.tensor2d(x, [rows.length, n]),
      user: tf.tensor2d(user, [rows.length, USER_FEATURES.length]),
      features: feats ? tf.tensor3d(feats, [rows.length, f, n]) : null,
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
      tf.dispose([input.x, input.user, input.features ?? [], target]);
    }
  }

  /** Logits for each row (higher = better), computed in batches. */
  score(rows: readonly FeatureRow[], snapshots: ShopSnapshots): Float32Array[] {
    const out: Float32Array[] = [];
    for (let start = 0; start < rows.length; start += this.options.batchSize) {
      const input = this.batch(rows.slice(start, start + this.options.batchSize), snapshots);
      const values = tf.tidy(() => this.logits(input.x, input.user, input.features).dataSync() as Float32Array);
      tf.dispose([input.x, input.user, input.features ?? []]);
      for (let r = 0; r * this.numItems < values.length; r++) {
        out.push(values.slice(r * this.numItems, (r + 1) * this.numItems));
      }
    }
    return out;
  }

  dispose(): void {
    tf.dispose(Object.values(this.weights));
    this.optimizer?.dispose();
    this.optimizer = null;
  }
}
