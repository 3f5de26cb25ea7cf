import { BlockStack, InlineStack, ProgressBar, Spinner, Text } from "@shopify/polaris";
import { formatEta } from "../../lib/admin/format";
import type { TrainingProgress } from "../../lib/admin/training-progress.server";

function describe(progress: TrainingProgress): string {
  if (progress.state === "queued") return "Queued: waiting for a worker to start training.";
  if (progress.stage === "preparing") return "Preparing: loading orders and scoring the baselines.";
  if (progress.stage === "finishing") return "Final pass over all orders, then the new lists go live.";
  const eta = formatEta(progress.etaSeconds);
  return `Epoch ${progress.epoch} of ${progress.epochs}${eta ? ` · ${eta}` : ""}`;
}

/** The live bar under "Retrain now": what the training job reports, refreshed by polling. */
export function TrainingProgressBar({ progress }: { progress: TrainingProgress }) {
  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        <Spinner size="small" accessibilityLabel="Training" />
        <Text as="p" fontWeight="medium">
          <span data-testid="training-status">{describe(progress)}</span>
        </Text>
      </InlineStack>
      <ProgressBar progress={progress.percent ?? 0} size="small" tone="highlight" animated />
      <Text as="p" variant="bodySm" tone="subdued">
        The shop keeps its current recommendations until the new model is trained and checked.
      </Text>
    </BlockStack>
  );
}
