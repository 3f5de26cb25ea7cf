import { useFetcher } from "@remix-run/react";
import { useEffect, useState } from "react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";
import { formatCount, formatDateTime, formatDuration } from "../../lib/admin/format";
import type { ModelOverview } from "../../lib/admin/model-runs.server";
import { servedLabel } from "../../components/admin/run-history";

/** "the Affinity model", or a baseline by its quoted name, to sit inside a sentence. */
const servingPhrase = (served: string | null) =>
  served === "model" ? "the Affinity model" : `the “${servedLabel(served)}” baseline`;

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <BlockStack gap="050">
      <Text as="span" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="span" fontWeight="medium">
        {value}
      </Text>
    </BlockStack>
  );
}

/** Rollback with an inline confirmation: it changes what every shopper sees at once. */
function RollBack({ previous }: { previous: NonNullable<ModelOverview["previous"]> }) {
  // Keyed, so the page shows the result banner from the same submission.
  const fetcher = useFetcher<{ ok: boolean; message: string }>({ key: "rollback" });
  const [confirming, setConfirming] = useState(false);
  // Done: the page's banner reports it, and the next rollback needs a fresh confirmation.
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) setConfirming(false);
  }, [fetcher.state, fetcher.data]);
  if (!confirming) {
    return <Button onClick={() => setConfirming(true)}>Roll back to previous model</Button>;
  }
  return (
    <Banner tone="warning" title="Serve the previous model again?" onDismiss={() => setConfirming(false)}>
      <BlockStack gap="200">
        <Text as="p">
          {`Shoppers get the recommendations of the run from ${formatDateTime(previous.startedAt ?? previous.createdAt)} ` +
            `(${servedLabel(previous.served)}) within seconds. You can roll back again to undo.`}
        </Text>
        <InlineStack gap="200">
          <Button
            variant="primary"
            tone="critical"
            loading={fetcher.state !== "idle"}
            onClick={() => fetcher.submit({ intent: "rollback" }, { method: "post" })}
          >
            Roll back
          </Button>
          <Button onClick={() => setConfirming(false)}>Cancel</Button>
        </InlineStack>
      </BlockStack>
    </Banner>
  );
}

export function CurrentModelCard(props: {
  overview: ModelOverview;
  training: boolean;
  onRetrain: () => void;
  retraining: boolean;
}) {
  const { active, previous } = props.overview;
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center" gap="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd">
              Current model
            </Text>
            <Text as="p" tone="subdued">
              {active
                ? `Serving ${servingPhrase(active.served)} since ${formatDateTime(active.finishedAt ?? active.createdAt)}.`
                : "No model yet: the first training starts when the import finishes."}
            </Text>
          </BlockStack>
          <Button variant="primary" onClick={props.onRetrain} loading={props.retraining} disabled={props.training}>
            Retrain now
          </Button>
        </InlineStack>
        {active ? (
          <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
            <Fact label="Backend" value={active.backend ?? "—"} />
            <Fact label="Trained" value={formatDateTime(active.finishedAt ?? active.createdAt)} />
            <Fact label="Training time" value={formatDuration(active.durationMs)} />
            <Fact
              label="Speed"
              value={active.examplesPerSecond ? `${formatCount(Math.round(active.examplesPerSecond))} examples/s` : "—"}
            />
            <Fact label="Orders" value={formatCount(active.orders)} />
            <Fact label="Customers" value={formatCount(active.customers)} />
            <Fact label="Products" value={formatCount(active.items)} />
            <Fact label="Training examples" value={formatCount(active.examples)} />
          </InlineGrid>
        ) : null}
        {previous ? (
          <Box>
            <RollBack previous={previous} />
          </Box>
        ) : null}
      </BlockStack>
    </Card>
  );
}
