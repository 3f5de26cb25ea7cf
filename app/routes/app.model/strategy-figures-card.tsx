import { Badge, BlockStack, Card, InlineStack, Text } from "@shopify/polaris";
import type { BestSellersFigure } from "../../lib/admin/best-sellers-figure";
import type { StrategyFigure } from "../../lib/admin/strategy-figures";

/**
 * What each kind of block shows shoppers, and how well it predicted recent orders: one line per
 * strategy, in the merchant's words, with the ranker that serves it.
 */
export function StrategyFiguresCard({
  figures,
  bestSellers,
}: {
  figures: StrategyFigure[];
  bestSellers: BestSellersFigure | null;
}) {
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            What each block shows
          </Text>
          <Text as="p" tone="subdued">
            Each block setting serves its own list, measured on your customers’ most recent orders.
          </Text>
        </BlockStack>
        <BlockStack gap="200">
          {figures.map((figure) => (
            <InlineStack key={figure.strategy} gap="200" blockAlign="center" wrap={false}>
              <Badge tone={figure.served === "model" ? "success" : "info"}>{figure.servedLabel}</Badge>
              <Text as="p">{figure.sentence}</Text>
            </InlineStack>
          ))}
          {bestSellers ? (
            <InlineStack gap="200" blockAlign="center" wrap={false}>
              <Badge tone="attention">Holdout group</Badge>
              <Text as="p">{bestSellers.sentence}</Text>
            </InlineStack>
          ) : null}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
