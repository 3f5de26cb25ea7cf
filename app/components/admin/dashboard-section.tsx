import { Banner, BlockStack, Card, EmptyState, InlineStack, Layout, Text } from "@shopify/polaris";
import type { Dashboard } from "../../lib/admin/dashboard.server";
import { formatMoney, formatRate } from "../../lib/admin/format";
import { DateRangePicker } from "./date-range-picker";
import { ExperimentCard } from "./experiment-card";
import { KpiGrid } from "./kpi-grid";
import { TimeSeriesChart } from "./time-series-chart";
import { TopProductsCard } from "./top-products-card";

// A small drawing of an empty chart, inline so the page needs nothing from a CDN.
const EMPTY_CHART = `data:image/svg+xml,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160">
    <rect x="13" y="10" width="200" height="140" rx="14" fill="#f1f1f1"/>
    <path d="M41 120h144" stroke="#d4d4d4" stroke-width="2" stroke-linecap="round"/>
    <rect x="53" y="96" width="18" height="24" rx="4" fill="#c8e6d4"/>
    <rect x="83" y="80" width="18" height="40" rx="4" fill="#c8e6d4"/>
    <rect x="113" y="88" width="18" height="32" rx="4" fill="#c8e6d4"/>
    <rect x="143" y="64" width="18" height="56" rx="4" fill="#c8e6d4"/>
    <path d="M54 70l30-14 30 8 40-26" fill="none" stroke="#91b8f2" stroke-width="4" stroke-linecap="round" stroke-linejoin="round" stroke-dasharray="2 8"/>
  </svg>`,
)}`;

// Polaris palette: the recommendations' blue, the holdout's grey, revenue in the success green.
const COLORS = { treatment: "#005bd3", control: "#8a8a8a", revenue: "#29845a" };

function Charts({ dashboard }: { dashboard: Dashboard }) {
  const days = dashboard.chart.map((d) => d.day);
  return (
    <Card>
      <BlockStack gap="600">
        <TimeSeriesChart
          title="Attributed revenue per day"
          days={days}
          series={[
            {
              name: "Attributed revenue",
              color: COLORS.revenue,
              kind: "bar",
              values: dashboard.chart.map((d) => d.attributedRevenue),
            },
          ]}
          formatValue={(v) => formatMoney(v, dashboard.currency, true)}
          description="Revenue from recommended products, per day of the chosen range."
        />
        <TimeSeriesChart
          title="Conversion per day"
          days={days}
          series={[
            {
              name: "Shown recommendations",
              color: COLORS.treatment,
              kind: "line",
              values: dashboard.chart.map((d) => d.treatment),
            },
            { name: "Holdout", color: COLORS.control, kind: "line", values: dashboard.chart.map((d) => d.control) },
          ]}
          formatValue={(v) => formatRate(v, 1)}
          description="Orders per visitor each day, for visitors shown recommendations and for the holdout group."
        />
      </BlockStack>
    </Card>
  );
}

/**
 * The performance half of the home page: figures, lift, charts and top products. The empty state
 * links to the theme editor only while the block has not been seen on the storefront
 * (`themeEditorUrl` null once it has).
 */
export function DashboardSection(props: { dashboard: Dashboard; themeEditorUrl: string | null }) {
  const { dashboard, themeEditorUrl } = props;
  return (
    <Layout>
      <Layout.Section variant="fullWidth">
        <InlineStack align="space-between" blockAlign="center" gap="300">
          <BlockStack gap="100">
            <Text as="h2" variant="headingLg">
              Performance
            </Text>
            <Text as="p" tone="subdued">
              {`Days in ${dashboard.timeZone.zone}`}
            </Text>
          </BlockStack>
          <DateRangePicker range={dashboard.range} />
        </InlineStack>
      </Layout.Section>
      {dashboard.timeZone.rejected !== null ? (
        <Layout.Section variant="fullWidth">
          <Banner tone="warning" title={`Days are shown in ${dashboard.timeZone.zone}`}>
            <p>
              {`Shopify reported your store's time zone as “${dashboard.timeZone.rejected}”, which Affinity does not recognise. ` +
                "Check the time zone in your store's settings; once it is saved, days follow it."}
            </p>
          </Banner>
        </Layout.Section>
      ) : null}
      {dashboard.empty ? (
        <Layout.Section variant="fullWidth">
          <Card>
            <EmptyState
              heading="No recommendation activity in this period"
              action={
                themeEditorUrl ? { content: "Open the theme editor", url: themeEditorUrl, target: "_top" } : undefined
              }
              image={EMPTY_CHART}
            >
              <p>
                {themeEditorUrl
                  ? "Once the “Recommended for you” block is on your theme and shoppers see it, impressions, clicks and the sales it brings in appear here."
                  : "The block is on your storefront. Its impressions, clicks and the sales it brings in appear here as shoppers see it."}{" "}
                Try a longer date range if you expected data.
              </p>
            </EmptyState>
          </Card>
        </Layout.Section>
      ) : (
        <>
          <Layout.Section variant="fullWidth">
            <KpiGrid totals={dashboard.totals} currency={dashboard.currency} />
          </Layout.Section>
          <Layout.Section>
            <Charts dashboard={dashboard} />
          </Layout.Section>
          <Layout.Section variant="oneThird">
            <ExperimentCard experiment={dashboard.experiment} />
          </Layout.Section>
          <Layout.Section variant="fullWidth">
            <TopProductsCard products={dashboard.topProducts} currency={dashboard.currency} />
          </Layout.Section>
        </>
      )}
    </Layout>
  );
}
