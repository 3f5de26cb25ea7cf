/**
 * A trained recommender as bytes for ModelRun.artifact: the network's weights, its options, the
 * feature and snapshot settings, and the item vocabulary (productIds) the per-item biases belong
 * to. Snapshots are not stored: they are rebuilt from the shop's orders, which the database
 * keeps anyway. Restoring against today's catalog maps biases by productId, so products added
 * since the run start at zero and products gone since are dropped.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { BASELINE_NAMES } from "./baselines";
import type { ShopData } from "./dataset";
import { RecommenderDnn, WEIGHT_NAMES } from "./dnn";
import { RecommenderEnsemble } from "./ensemble";
import type { TrainedRecommender } from "./evaluate";
import { ITEM_FEATURES, USER_FEATURES } from "./features";
import type { Contender } from "./promote";
import { buildSnapshots } from "./snapshots";
import { PERSONAL_STRATEGIES, type PersonalStrategy } from "./strategies";
import { tf } from "../tf/backend.server";

/**
 * Bumped whenever the stored format changes. 2: the network is an ensemble, one weight set per
 * member. Version 1 (one network) still restores, as a one-member ensemble; a different feature
 * layout never does (it falls back instead of being misread).
 */
export const ARTIFACT_VERSION = 2;

export class CorruptArtifactError extends Error {
  constructor(reason: string) {
    super(`model artifact unusable: ${reason}; serve the previous model or the best baseline instead`);
    this.name = "CorruptArtifactError";
  }
}

const weight = z.object({ shape: z.array(z.number().int().nonnegative()), values: z.string() });
const artifactSchema = z.object({
  version: z.union([z.literal(1), z.literal(ARTIFACT_VERSION)]),
  promoted: z.enum(["model", ...BASELINE_NAMES]),
  /** The ranker of each personal strategy (issue 15); absent in older artifacts: all `promoted`. */
  strategies: z.record(z.enum(PERSONAL_STRATEGIES), z.enum(["model", ...BASELINE_NAMES])).optional(),
  /** The ranker of the related lists (related-eval.ts); absent in older artifacts: see `relatedBy`. */
  related: z.enum(["model", ...BASELINE_NAMES]).optional(),
  /** The ranker of the first-visit list (first-visit-eval.ts); absent in older artifacts: `promoted`. */
  firstVisit: z.enum(["model", ...BASELINE_NAMES]).optional(),
  mix: z.object({ discovery: z.number().min(0).max(1).optional() }).optional(),
  layout: z.object({ items: z.array(z.string()), user: z.array(z.string()) }),
  features: z.record(z.string(), z.number()),
  snapshots: z.record(z.string(), z.number()),
  productIds: z.array(z.string()),
  dnn: z
    .object({
      options: z.record(z.string(), z.union([z.number(), z.boolean()])),
      /** Version 1: the one network's weights. */
      weights: z.record(z.string(), weight).optional(),
      /** Version 2: one weight set per ensemble member (seeds options.seed, +1, …). */
      members: z.array(z.record(z.string(), weight)).min(1).optional(),
    })
    .nullable(),
});

const encode = (values: Float32Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
function decode(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength % 4 !== 0) throw new CorruptArtifactError("a weight's byte length is not a multiple of 4");
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function serializeRecommender(model: TrainedRecommender): Uint8Array<ArrayBuffer> {
  const dnn = model.dnn;
  const json = {
    version: ARTIFACT_VERSION,
    promoted: model.promoted,
    ...(model.strategies ? { strategies: model.strategies } : {}),
    ...(model.related ? { related: model.related } : {}),
    ...(model.firstVisit ? { firstVisit: model.firstVisit } : {}),
    ...(model.mix ? { mix: model.mix } : {}),
    layout: { items: [...ITEM_FEATURES], user: [...USER_FEATURES] },
    features: model.features,
    snapshots: model.snapshotOptions,
    productIds: model.data.productIds,
    dnn: dnn
      ? {
          options: dnn.members[0]!.options,
          members: dnn.members.map((member) =>
            Object.fromEntries(
              WEIGHT_NAMES.map((name) => {
                const v = member.weights[name];
                return [name, { shape: v.shape, values: encode(v.dataSync() as Float32Array) }];
              }),
            ),
          ),
        }
      : null,
  };
  return new Uint8Array(gzipSync(JSON.stringify(json)));
}

type StoredArtifact = z.infer<typeof artifactSchema>;

/** The stored weight sets, one per ensemble member (version 1 kept one network's, unwrapped). */
const storedMembers = (dnn: NonNullable<StoredArtifact["dnn"]>) => dnn.members ?? (dnn.weights ? [dnn.weights] : []);

/**
 * An artifact's stored form, checked as far as it can be without the shop's data: its bytes,
 * version, feature layout, and weights wherever a list is served by the network. Throws
 * CorruptArtifactError. A list refresh asks this before loading the shop's history, so a broken
 * artifact costs a parse, not a history load per refresh window (rebuild-lists.server.ts).
 */
export function readArtifact(bytes: Uint8Array | null | undefined): StoredArtifact {
  if (!bytes || bytes.byteLength === 0) throw new CorruptArtifactError("missing");
  let parsed: StoredArtifact;
  try {
    parsed = artifactSchema.parse(JSON.parse(gunzipSync(bytes).toString("utf8")));
  } catch (error) {
    throw error instanceof CorruptArtifactError
      ? error
      : new CorruptArtifactError((error as Error).message.slice(0, 200));
  }
  const sameLayout =
    parsed.layout.items.join() === ITEM_FEATURES.join() && parsed.layout.user.join() === USER_FEATURES.join();
  if (!sameLayout) throw new CorruptArtifactError("feature layout differs from this version's");
  if (!parsed.dnn) {
    if (parsed.promoted === "model") throw new CorruptArtifactError("promoted model has no weights");
    if (
      (parsed.strategies && Object.values(parsed.strategies).includes("model")) ||
      parsed.related === "model" ||
      parsed.firstVisit === "model"
    )
      throw new CorruptArtifactError("a strategy served by the model has no weights");
  } else if (storedMembers(parsed.dnn).length === 0) {
    throw new CorruptArtifactError("network has no weights");
  }
  return parsed;
}

/** A recommender for `data` (today's orders and catalog) from a stored artifact. Throws CorruptArtifactError. */
export function restoreRecommender(bytes: Uint8Array | null | undefined, data: ShopData): TrainedRecommender {
  const parsed = readArtifact(bytes);
  const lastAt = data.orders[data.orders.length - 1]?.at ?? 0;
  const snapshots = buildSnapshots(data, lastAt, parsed.snapshots);
  const base = { data, snapshots, features: parsed.features, snapshotOptions: parsed.snapshots };
  const extras = {
    ...(parsed.strategies ? { strategies: parsed.strategies as Record<PersonalStrategy, Contender> } : {}),
    ...(parsed.related ? { related: parsed.related } : {}),
    ...(parsed.firstVisit ? { firstVisit: parsed.firstVisit } : {}),
    ...(parsed.mix ? { mix: parsed.mix } : {}),
  };
  if (!parsed.dnn) return { ...base, ...extras, dnn: null, promoted: parsed.promoted };
  const stored = storedMembers(parsed.dnn);
  const seed = typeof parsed.dnn.options.seed === "number" ? parsed.dnn.options.seed : 1;
  const members: RecommenderDnn[] = [];
  try {
    stored.forEach((weights, m) => {
      const member = new RecommenderDnn(data.productIds.length, { ...parsed.dnn!.options, seed: seed + m });
      members.push(member);
      loadWeights(member, weights, parsed.productIds, data);
    });
  } catch (error) {
    for (const member of members) member.dispose();
    throw error;
  }
  return { ...base, ...extras, dnn: new RecommenderEnsemble(members), promoted: parsed.promoted };
}

function loadWeights(
  dnn: RecommenderDnn,
  stored: Record<string, z.infer<typeof weight>>,
  productIds: readonly string[],
  data: ShopData,
): void {
  for (const name of WEIGHT_NAMES) {
    const saved = stored[name];
    if (!saved) throw new CorruptArtifactError(`weight ${name} missing`);
    let values = decode(saved.values);
    if (name === "itemBias") {
      // Per product, not per index: today's index of each stored productId.
      const byId = new Map(productIds.map((id, i) => [id, values[i] ?? 0]));
      values = Float32Array.from(data.productIds, (id) => byId.get(id) ?? 0);
    } else {
      const expected = dnn.weights[name].shape;
      if (saved.shape.join() !== expected.join() || values.length !== expected.reduce((a, b) => a * b, 1)) {
        throw new CorruptArtifactError(`weight ${name} has shape ${saved.shape.join("×")}`);
      }
    }
    if (!values.every(Number.isFinite)) throw new CorruptArtifactError(`weight ${name} is not finite`);
    const tensor = tf.tensor(values, dnn.weights[name].shape);
    dnn.weights[name].assign(tensor);
    tensor.dispose();
  }
}
