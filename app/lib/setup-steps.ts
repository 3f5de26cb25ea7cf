export interface SetupStep {
  id: "install" | "sync" | "train" | "block";
  label: string;
  done: boolean;
}

export interface SetupFacts {
  installed: boolean;
  /** Products and orders imported; filled in once store sync runs. */
  synced?: boolean;
  /** A model (or baseline) is being served. */
  trained?: boolean;
  /** The app block was added to the live theme. */
  blockAdded?: boolean;
}

/** The first-run checklist, in the order a merchant completes it. */
export function setupSteps(facts: SetupFacts): SetupStep[] {
  return [
    { id: "install", label: "Install Affinity", done: facts.installed },
    { id: "sync", label: "Import products and orders", done: facts.synced ?? false },
    { id: "train", label: "Train your shop's model", done: facts.trained ?? false },
    { id: "block", label: "Add “Recommended for you” to your theme", done: facts.blockAdded ?? false },
  ];
}
