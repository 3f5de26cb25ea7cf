/**
 * The recommender network: a wide-and-deep scorer over (shopper, candidate item) feature vectors
 * (features.ts), trained with a softmax over each shopper's candidate set.
 *
 *   x_c     = [item features of candidate c ; shopper features]
 *   score_c = x_c·w  +  relu(relu(x_c·W1 + b1)·W2 + b2)·w3
 *   loss    = softmax cross-entropy over all candidates (targets: the next order's items)
 *           + the same over the candidates not bought before (targets: the order's new items)
 *
 * The linear part starts at a hand-set repeat + co-occurrence + popularity blend, so an
 * untrained network already ranks sensibly; the ReLU layers learn the interactions a fixed
 * blend cannot (a staple that is due again, a wholesaler versus a gift buyer, a new product that
 * co-occurs with the basket). The second loss trains the discovery ranking directly, which the
 * "new only" lists need and which the repeat-dominated first loss barely teaches.
 *
 * Items outside the candidate set score −1e9 and fall back to the caller's popularity
 * tie-break, so every ranking still covers the whole catalog. tfjs-core ops only; every
 * gradient it needs exists or is registered on wasm and cpu (ADR 002).
 */
import { seededRandom } from "../tf/seeded-random";
import { tf } from "../tf/backend.server";
import { TrainingDivergedError } from "./errors";
import { constantTimes, matMulFast } from "./fast-matmul";
import { INITIAL_BLEND, ITEM_FEATURES, USER_FEATURES, type FeatureRow } from "./features";

export interface DnnOptions {
  /** First hidden layer. @defaultValue 16 */
  hidden?: number;
  /** Second hidden layer. @defaultValue 8 */
  hidden2?: number;
  /** Shoppers per batch. @defaultValue 256 */
  batchSize?: number;
  /** Adam step. @defaultValue 0.01 */
  learningRate?: number;
  /** L2 on the hidden weights. @defaultValue 1e-5 */
  l2?: number;
  /** L2 on the per-item biases (strong: a bias must not outvote the features). @defaultValue 0.01 */
  itemBiasL2?: number;
  /** Weight of the new-items loss beside the all-items loss. @defaultValue 0.5 */
  freshWeight?: number;
  /** @defaultValue 1 */
  seed?: number;
  /**
   * Start the linear part at the hand-set blend. Off starts it at zero: a network that has to
   * learn everything, which is what tests use to show a weak model is not promoted.
   * @defaultValue true
   */
  initialBlend?: boolean;
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
  /** Loss weight of the row. @defaultValue 1 */
  weight?: number;
}

/** Scores for items outside a row's candidates: below any candidate, ties left to popularity. */
export const NOT_A_CANDIDATE = -1e9;
const F = ITEM_FEATURES.length;
const U = USER_FEATURES.length;
const WIDTH = F + U;
const MASKED = -1e9;

export const WEIGHT_NAMES = ["wide", "w1", "b1", "w2", "b2", "w3", "itemBias"] as const;
export type WeightName = (typeof WEIGHT_NAMES)[number];

export class RecommenderDnn {
  readonly options: Required<DnnOptions>;
  readonly weights: Record<WeightName, tf.Variable>;
  private optimizer: tf.Optimizer | null = null;
  /** item → position in the current row, −1 elsewhere (reused to avoid a Map per row). */
  private readonly position: Int32Array;

  constructor(
    readonly numItems: number,
    options: DnnOptions = {},
  ) {
    this.options = {
      hidden: 16,
      hidden2: 8,
      batchSize: 256,
      learningRate: 0.01,
      l2: 1e-5,
      itemBiasL2: 0.01,
      freshWeight: 0.5,
      seed: 1,
      initialBlend: true,
      ...options,
    };
    this.position = new Int32Array(numItems).fill(-1);
    const { hidden, hidden2, seed, initialBlend } = this.options;
    const random = seededRandom(seed);
    const uniform = (rows: number, cols: number, limit: number) =>
      tf.variable(
        tf.tensor2d(
          Float32Array.from({ length: rows * cols }, () => (random() * 2 - 1) * limit),
          [rows, cols],
        ),
      );
    const glorot = (rows: number, cols: number) => uniform(rows, cols, Math.sqrt(6 / (rows + cols)));
    const blend = new Float32Array(WIDTH);
    if (initialBlend) ITEM_FEATURES.forEach((name, i) => (blend[i] = INITIAL_BLEND[name] ?? 0));
    this.weights = tf.tidy(() => ({
      wide: tf.variable(tf.tensor2d(blend, [WIDTH, 1])),
      w1: glorot(WIDTH, hidden),
      b1: tf.variable(tf.zeros([hidden])),
      w2: glorot(hidden, hidden2),
      b2: tf.variable(tf.zeros([hidden2])),
      // Small output layer: the deep part starts near zero, so the initial blend rules.
      w3: uniform(hidden2, 1, 0.01),
      itemBias: tf.variable(tf.zeros([numItems])),
    }));
  }

  /**
   * Each candidate's learned item bias. Gather's gradient needs UnsortedSegmentSum, which wasm
   * lacks, so the backward pass adds dy into the item slots in JS: one pass over the batch.
   */
  private itemBias(items: tf.Tensor1D): tf.Tensor1D {
    const n = this.numItems;
    const gather = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const bias = args[0] as tf.Tensor1D;
      return {
        value: tf.gather(bias, items),
        gradFunc: (dy: tf.Tensor) => {
          const d = dy.dataSync();
          const ix = items.dataSync();
          const g = new Float32Array(n);
          for (let k = 0; k < ix.length; k++) g[ix[k]!]! += d[k]!;
          return [tf.tensor1d(g)];
        },
      };
    });
    return gather(this.weights.itemBias) as tf.Tensor1D;
  }

  /** [rows·C, WIDTH] → [rows, C] scores. */
  private scores(x: tf.Tensor2D, items: tf.Tensor1D, rows: number, width: number): tf.Tensor2D {
    const w = this.weights;
    const xTimes = constantTimes(x);
    const h1 = tf.relu(tf.add(xTimes(w.w1 as tf.Tensor2D), w.b1)) as tf.Tensor2D;
    const h2 = tf.relu(tf.add(matMulFast(h1, w.w2 as tf.Tensor2D), w.b2)) as tf.Tensor2D;
    const s = tf.add(xTimes(w.wide as tf.Tensor2D), matMulFast(h2, w.w3 as tf.Tensor2D));
    return tf.add(tf.reshape(s, [rows, width]), tf.reshape(this.itemBias(items), [rows, width]));
  }

  /** Dense, padded batch arrays; `withTargets` adds the two target and mask matrices. */
  private batch(examples: readonly TrainingExample[], withTargets: boolean) {
    const b = examples.length;
    const width = Math.max(1, ...examples.map((e) => e.row.featureIndex.length));
    const x = new Float32Array(b * width * WIDTH);
    const items = new Int32Array(b * width);
    const padMask = new Float32Array(b * width).fill(MASKED);
    const freshMask = new Float32Array(b * width).fill(MASKED);
    const yAll = withTargets ? new Float32Array(b * width) : null;
    const yFresh = withTargets ? new Float32Array(b * width) : null;
    const pastAt = ITEM_FEATURES.indexOf("past");
    // Weights scaled to mean 1, so the loss stays on the same scale whatever they are.
    const meanWeight = examples.reduce((sum, e) => sum + (e.weight ?? 1), 0) / Math.max(b, 1);
    examples.forEach(({ row, targets, weight = 1 }, r) => {
      const m = row.featureIndex.length;
      for (let c = 0; c < m; c++) {
        const at = (r * width + c) * WIDTH;
        x.set(row.featureValue.subarray(c * F, (c + 1) * F), at);
        x.set(row.user, at + F);
        items[r * width + c] = row.featureIndex[c]!;
        padMask[r * width + c] = 0;
        if (row.featureValue[c * F + pastAt] === 0) freshMask[r * width + c] = 0;
      }
      if (!yAll || !yFresh) return;
      row.featureIndex.forEach((item, c) => (this.position[item] = c));
      const hits: number[] = [];
      for (let k = 0; k < targets.length; k++) {
        const c = this.position[targets[k]!]!;
        if (c >= 0) hits.push(c);
      }
      row.featureIndex.forEach((item) => (this.position[item] = -1));
      const fresh = hits.filter((c) => freshMask[r * width + c] === 0);
      const w = weight / meanWeight;
      for (const c of hits) yAll[r * width + c] = w / hits.length;
      for (const c of fresh) yFresh[r * width + c] = w / fresh.length;
    });
    return { x, items, padMask, freshMask, yAll, yFresh, width };
  }

  private variables(): tf.Variable[] {
    return WEIGHT_NAMES.map((name) => this.weights[name]);
  }

  /**
   * Minibatch Adam over `examples` for `epochs` passes, continuing from the current weights
   * (the rolling evaluation trains in stages). Throws TrainingDivergedError on a non-finite
   * loss. `epochOffset`/`totalEpochs` only shape the progress report.
   */
  fit(
    examples: readonly TrainingExample[],
    epochs: number,
    progress: { epochOffset?: number; totalEpochs?: number; onEpoch?: (p: EpochProgress) => void } = {},
  ): number[] {
    if (examples.length === 0 || epochs <= 0) return [];
    const { batchSize, learningRate, seed } = this.options;
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
      // Rows are padded to the batch's longest candidate list: sorting each run of 8 batches
      // by length keeps the padding (and the wasted work) small while batches stay shuffled.
      const size = (i: number) => examples[i]!.row.featureIndex.length;
      const batches: number[][] = [];
      for (let start = 0; start < order.length; start += batchSize * 8) {
        const run = order.slice(start, start + batchSize * 8).sort((a, b) => size(a) - size(b) || a - b);
        for (let k = 0; k < run.length; k += batchSize) batches.push(run.slice(k, k + batchSize));
      }
      for (let i = batches.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [batches[i], batches[j]] = [batches[j]!, batches[i]!];
      }
      let sum = 0;
      const globalEpoch = (progress.epochOffset ?? 0) + epoch + 1;
      for (const picked of batches) {
        const batchLoss = this.step(picked.map((i) => examples[i]!));
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

  private step(examples: readonly TrainingExample[]): number {
    const { l2, freshWeight } = this.options;
    const rows = examples.length;
    const data = this.batch(examples, true);
    const { width } = data;
    const x = tf.tensor2d(data.x, [rows * width, WIDTH]);
    const items = tf.tensor1d(data.items, "int32");
    const padMask = tf.tensor2d(data.padMask, [rows, width]);
    const freshMask = tf.tensor2d(data.freshMask, [rows, width]);
    const yAll = tf.tensor2d(data.yAll!, [rows, width]);
    const yFresh = tf.tensor2d(data.yFresh!, [rows, width]);
    try {
      const loss = this.optimizer!.minimize(
        () => {
          const s = this.scores(x, items, rows, width);
          const ce = (y: tf.Tensor2D, mask: tf.Tensor2D) =>
            tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(tf.add(s, mask))), 1)));
          const w = this.weights;
          const hidden = tf.mul(tf.add(tf.sum(tf.mul(w.w1, w.w1)), tf.sum(tf.mul(w.w2, w.w2))), l2);
          const bias = tf.mul(tf.sum(tf.mul(w.itemBias, w.itemBias)), this.options.itemBiasL2);
          return tf.add(
            tf.add(ce(yAll, padMask), tf.mul(ce(yFresh, freshMask), freshWeight)),
            tf.add(hidden, bias),
          ) as tf.Scalar;
        },
        true,
        this.variables(),
      );
      const value = loss?.dataSync()[0] ?? Number.NaN;
      loss?.dispose();
      return value;
    } finally {
      tf.dispose([x, items, padMask, freshMask, yAll, yFresh]);
    }
  }

  /** Scores over the whole catalog for each row (higher = better), computed in batches. */
  score(rows: readonly FeatureRow[]): Float32Array[] {
    const out: Float32Array[] = [];
    for (let start = 0; start < rows.length; start += this.options.batchSize) {
      const batch = rows.slice(start, start + this.options.batchSize).map((row) => ({ row, targets: [] }));
      const data = this.batch(batch, false);
      const x = tf.tensor2d(data.x, [batch.length * data.width, WIDTH]);
      const items = tf.tensor1d(data.items, "int32");
      // dataSync outside tidy: tidy would walk every element of a returned typed array.
      const s = tf.tidy(() => this.scores(x, items, batch.length, data.width));
      const values = s.dataSync() as Float32Array;
      tf.dispose([x, items, s]);
      batch.forEach(({ row }, r) => {
        const full = new Float32Array(this.numItems).fill(NOT_A_CANDIDATE);
        row.featureIndex.forEach((item, c) => (full[item] = values[r * data.width + c]!));
        out.push(full);
      });
    }
    return out;
  }

  dispose(): void {
    tf.dispose(this.variables());
    this.optimizer?.dispose();
    this.optimizer = null;
  }
}
