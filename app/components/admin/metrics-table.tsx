import { Badge, BlockStack, Box, DataTable, InlineStack, List, Text } from "@shopify/polaris";
import { METRIC_HELP, type MetricsTableRow } from "../../lib/admin/model-metrics";

const score = (x: number, best = false) => (
  <Text as="span" numeric fontWeight={best ? "bold" : "regular"}>
    {x.toFixed(3)}
  </Text>
);

/**
 * The current run's ranking quality: the model beside every baseline, measured the same way on
 * the same held-out orders, in both settings. The best NDCG@10 of each setting is in bold.
 */
export function MetricsTable({ rows }: { rows: MetricsTableRow[] }) {
  if (rows.length === 0) {
    return (
      <Text as="p" tone="subdued">
        This run stored no metrics.
      </Text>
    );
  }
  const tableRows = rows.map((row) => [
    <BlockStack key={row.ranker} gap="050">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" fontWeight="semibold">
          {row.label}
        </Text>
        {row.served ? <Badge tone="success">Served</Badge> : null}
      </InlineStack>
      <Box maxWidth="260px">
        <Text as="span" variant="bodySm" tone="subdued" breakWord>
          {row.explanation}
        </Text>
      </Box>
    </BlockStack>,
    score(row.all.hr),
    score(row.all.recall),
    score(row.all.ndcg, row.best.all),
    score(row.new.hr),
    score(row.new.recall),
    score(row.new.ndcg, row.best.new),
    <Text key="coverage" as="span" numeric>{`${Math.round(row.coverage * 100)}%`}</Text>,
  ]);
  return (
    <BlockStack gap="300">
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
        headings={[
          "Ranker",
          "All · HR",
          "All · Recall",
          "All · NDCG",
          "New · HR",
          "New · Recall",
          "New · NDCG",
          "Coverage",
        ]}
        rows={tableRows}
        verticalAlign="middle"
      />
      <Box paddingInline="400">
        <BlockStack gap="100">
          <Text as="p" variant="bodySm" tone="subdued">
            Measured on each repeat customer's latest order, which training never saw, over the top 10 of the whole
            catalog.
          </Text>
          <List type="bullet">
            {Object.values(METRIC_HELP).map((line) => (
              <List.Item key={line}>
                <Text as="span" variant="bodySm" tone="subdued">
                  {line}
                </Text>
              </List.Item>
            ))}
          </List>
        </BlockStack>
      </Box>
    </BlockStack>
  );
}
