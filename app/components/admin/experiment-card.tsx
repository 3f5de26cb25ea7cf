import { Badge, BlockStack, Box, Card, DataTable, InlineStack, Text } from "@shopify/polaris";
import type { ExperimentView } from "../../lib/admin/dashboard";
import { formatCount, formatDay, formatRate } from "../../lib/admin/format";
import type { LiftSentence } from "../../lib/admin/lift-sentence";

const BADGE: Record<LiftSentence["kind"], { tone?: "success" | "info"; label: string }> = {
  significant: { tone: "success", label: "Significant" },
  pending: { tone: "info", label: "Collecting data" },
  none: { label: "Waiting for visitors" },
};

function Result({ title, sentence }: { title: string; sentence: LiftSentence }) {
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {title}
        </Text>
        <Badge tone={BADGE[sentence.kind].tone}>{BADGE[sentence.kind].label}</Badge>
      </InlineStack>
      <Text as="p" variant="headingLg" fontWeight="semibold">
        {sentence.headline}
      </Text>
      {sentence.detail ? (
        <Text as="p" tone="subdued">
          {sentence.detail}
        </Text>
      ) : null}
    </BlockStack>
  );
}

/** The holdout experiment: the lift sentence first, then the two groups it compares. */
export function ExperimentCard({ experiment }: { experiment: ExperimentView | null }) {
  if (!experiment) {
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Lift against the holdout
          </Text>
          <Text as="p" tone="subdued">
            The experiment starts with the first shopper who sees the block. A share of visitors (the holdout, set in
            Settings) does not see recommendations, so their conversion shows what the block adds.
          </Text>
        </BlockStack>
      </Card>
    );
  }
  const rows = [
    ["Shown recommendations", formatCount(experiment.treatment.visitors), formatRate(experiment.treatment.rate)],
    ["Holdout", formatCount(experiment.control.visitors), formatRate(experiment.control.rate)],
  ];
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            Lift against the holdout
          </Text>
          <Text as="p" variant="bodySm" tone="subdued">
            {`Since ${formatDay(experiment.startedAt)} · ${experiment.holdoutPercent}% of visitors in the holdout · per visitor, whole experiment`}
          </Text>
        </BlockStack>
        <Result title="Conversion" sentence={experiment.conversion} />
        <Result title="Revenue per visitor" sentence={experiment.revenuePerVisitor} />
        <Box>
          <DataTable
            columnContentTypes={["text", "numeric", "numeric"]}
            headings={["Group", "Visitors", "Conversion"]}
            rows={rows}
          />
        </Box>
      </BlockStack>
    </Card>
  );
}
