import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import type { SegmentSizes } from "../../lib/churn/segment-sizes";
import { SEGMENTS } from "../../lib/churn/segments";

const NAMES: Record<string, string> = {
  new: "New",
  active: "Active",
  at_risk: "At risk",
  lapsed: "Lapsed",
  champion: "Champions",
};

/** How many customers each segment had at the end of each 30-day period: is the base growing or slipping? */
export function SegmentSizesCard({ sizes }: { sizes: SegmentSizes }) {
  const day = (at: number) =>
    new Date(at).toLocaleDateString("en", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Segment sizes, last {sizes.asOf.length} months
        </Text>
        <Text as="p" tone="subdued">
          Customers in each segment at the end of each 30-day period, by the same rules as today. The latest column uses
          today&apos;s churn scores; earlier dates use the recency, frequency and spend baseline as of that date for the
          at-risk mark, because the churn model scores customers only as of today.
        </Text>
        <DataTable
          columnContentTypes={["text", ...sizes.asOf.map(() => "numeric" as const)]}
          headings={["Segment", ...sizes.asOf.map(day)]}
          rows={SEGMENTS.map((segment) => [NAMES[segment] ?? segment, ...sizes.counts[segment]])}
        />
      </BlockStack>
    </Card>
  );
}
