import { BlockStack, Card, InlineGrid, Text, Tooltip } from "@shopify/polaris";
import type { DashboardTotals } from "../../lib/admin/dashboard";
import { formatCount, formatCountOf, formatMoney, formatRate } from "../../lib/admin/format";

interface Kpi {
  label: string;
  value: string;
  help: string;
  sub?: string;
}

function KpiCard({ kpi }: { kpi: Kpi }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Tooltip content={kpi.help} dismissOnMouseOut>
          <Text as="h3" variant="bodySm" tone="subdued">
            <span style={{ borderBottom: "1px dashed #b5b5b5" }}>{kpi.label}</span>
          </Text>
        </Tooltip>
        <Text as="p" variant="headingLg">
          {kpi.value}
        </Text>
        {kpi.sub ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {kpi.sub}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export function KpiGrid({ totals, currency }: { totals: DashboardTotals; currency: string }) {
  const kpis: Kpi[] = [
    {
      label: "Impressions",
      value: formatCount(totals.impressions),
      help: "Times shoppers saw the “Recommended for you” block.",
    },
    {
      label: "Click-through rate",
      value: formatRate(totals.clickThroughRate),
      sub: formatCountOf(totals.clicks, "click"),
      help: "Clicks on a recommended product per impression.",
    },
    {
      label: "Add-to-cart rate",
      value: formatRate(totals.addToCartRate),
      sub: `${formatCount(totals.addToCarts)} added to cart`,
      help: "Recommended products added to the cart from the block, per impression.",
    },
    {
      label: "Attributed orders",
      value: formatCount(totals.attributedOrders),
      help: "Orders with at least one product bought from a recommendation (see the attribution window in Settings).",
    },
    {
      label: "Attributed revenue",
      value: formatMoney(totals.attributedRevenue, currency),
      help: "Revenue of the recommended products in those orders, net of refunds.",
    },
    {
      label: "Conversion: shown vs holdout",
      value: `${formatRate(totals.conversion.treatment)} vs ${formatRate(totals.conversion.control)}`,
      sub: "Orders per visitor in these dates",
      help:
        "Orders per visitor in these dates: visitors shown recommendations against the holdout group, who were not. " +
        "A visitor counts once per day they came.",
    },
  ];
  return (
    <InlineGrid columns={{ xs: 2, md: 3 }} gap="400">
      {kpis.map((kpi) => (
        <KpiCard key={kpi.label} kpi={kpi} />
      ))}
    </InlineGrid>
  );
}
