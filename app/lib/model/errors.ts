/** Typed failures of the model layer; each says what the caller should do. */

export class TrainingDivergedError extends Error {
  override readonly name = "TrainingDivergedError";
  constructor(
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(
      `Training diverged at epoch ${epoch} (loss ${loss}). Lower learningRate or raise l2; ` +
        "the shop keeps its best baseline meanwhile.",
    );
  }
}

export class ModelInputError extends Error {
  override readonly name = "ModelInputError";
}
