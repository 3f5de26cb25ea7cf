import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, Layout, Page, Text, TextField } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { authenticate } from "../../shopify.server";
import { customersPage, metricsSentences } from "../../lib/admin/customers.server";
import { adminContext, orNotFound } from "../../admin-context.server";
import { requireShop } from "../../lib/shops/registry.server";
import { loadChurnSettings, saveChurnSettings } from "../../lib/churn/store.server";
import { churnThresholdsFormSchema } from "../../lib/churn/settings";
import { insightActionsFormSchema } from "../../lib/insights/form";
import { insightWriteStatus, previewInsightWrite, saveAndWrite } from "../../lib/insights/admin.server";
import { recommendedFromStore } from "../../lib/insights/recommended.server";
import type { SpendBySegment } from "../../lib/churn/insight-figures";
import { SEGMENTS } from "../../lib/churn/segments";
import { InsightActionsCard } from "./insight-actions";
import { SegmentSizesCard } from "./segment-sizes-card";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const ctx = adminContext(session);
  const shop = await orNotFound(requireShop(ctx.db, session.shop));
  const [page, settings, writeStatus] = await Promise.all([
    customersPage(ctx, { id: shop.id, domain: shop.domain }),
    loadChurnSettings(ctx.db, shop.id),
    insightWriteStatus(ctx.db, shop.id),
  ]);
  return { ...page, settings, writeStatus, sentences: page.run ? metricsSentences(page.run) : [] };
};

const issues = (form: "thresholds" | "actions", error: { issues: { path: PropertyKey[]; message: string }[] }) => ({
  form,
  ok: false as const,
  errors: error.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`),
});

/**
 * Saves the segment thresholds (the form without an intent), or previews / saves the actions
 * that write to Shopify. A bad value answers its message and changes nothing.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const ctx = adminContext(session);
  const shop = await orNotFound(requireShop(ctx.db, session.shop));
  const fields = Object.fromEntries(await request.formData());
  if (fields.intent !== undefined) {
    const parsed = insightActionsFormSchema.safeParse(fields);
    if (!parsed.success) return issues("actions", parsed.error);
    const { intent, ...options } = parsed.data;
    if (intent === "preview") {
      return {
        form: "actions" as const,
        ok: true as const,
        errors: [],
        preview: await previewInsightWrite(ctx.db, shop.id, options, recommendedFromStore(ctx, shop)),
      };
    }
    await saveAndWrite(ctx.db, ctx.adminApiQueue(), { id: shop.id, domain: shop.domain }, options);
    return { form: "actions" as const, ok: true as const, errors: [], queued: true };
  }
  const parsed = churnThresholdsFormSchema.safeParse(fields);
  if (!parsed.success) return issues("thresholds", parsed.error);
  await saveChurnSettings(ctx.db, shop.id, { ...(await loadChurnSettings(ctx.db, shop.id)), ...parsed.data });
  return { form: "thresholds" as const, ok: true as const, errors: [] };
};

function ThresholdsCard({ atRiskThreshold, championShare }: { atRiskThreshold: number; championShare: number }) {
  const data = useActionData<typeof action>();
  const result = data?.form === "thresholds" ? data : undefined;
  const [risk, setRisk] = useState(String(atRiskThreshold));
  const [share, setShare] = useState(String(championShare));
  return (
    <Card>
      <Form method="post">
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Segment thresholds
          </Text>
          {result && !result.ok ? (
            <Banner tone="critical" title="Not saved">
              {result.errors.map((e) => (
                <p key={e}>{e}</p>
              ))}
            </Banner>
          ) : null}
          {result?.ok ? <Banner tone="success" title="Saved: segments follow at the next training." /> : null}
          <TextField
            label="At risk from this churn risk (0.05 to 0.95)"
            name="atRiskThreshold"
            value={risk}
            onChange={setRisk}
            autoComplete="off"
          />
          <TextField
            label="Champions: this share of active customers by value (0.01 to 0.5)"
            name="championShare"
            value={share}
            onChange={setShare}
            autoComplete="off"
          />
          <Button submit>Save thresholds</Button>
        </BlockStack>
      </Form>
    </Card>
  );
}

const LABELS: Record<string, string> = {
  new: "New",
  active: "Active",
  at_risk: "At risk",
  lapsed: "Lapsed",
  champion: "Champions",
};

/** What today's segments spent in each of the last months: where revenue is slipping away. */
function SpendCard({ spend }: { spend: SpendBySegment }) {
  const month = (start: number) =>
    new Date(start + 15 * 86_400_000).toLocaleDateString("en", { month: "short", year: "numeric", timeZone: "UTC" });
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Spend by segment, last {spend.periods.length} months
        </Text>
        <Text as="p" tone="subdued">
          What the customers in each segment today spent in each 30-day period.
        </Text>
        <DataTable
          columnContentTypes={["text", ...spend.periods.map(() => "numeric" as const)]}
          headings={["Segment", ...spend.periods.map(month)]}
          rows={SEGMENTS.map((segment) => [
            LABELS[segment] ?? segment,
            ...spend.revenue[segment].map((v) => v.toFixed(2)),
          ])}
        />
      </BlockStack>
    </Card>
  );
}

/** Through App Bridge's fetch (session token added), then saved: a plain link would not be signed. */
async function saveCsv(): Promise<void> {
  const response = await fetch("/app/customers/export");
  if (!response.ok) throw new Error(`The export failed (${response.status}).`);
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: "affinity-customers.csv" });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

function ExportButton() {
  const [state, setState] = useState<"idle" | "loading" | "failed">("idle");
  const run = () => {
    setState("loading");
    saveCsv().then(
      () => setState("idle"),
      () => setState("failed"),
    );
  };
  return (
    <Button onClick={run} loading={state === "loading"} tone={state === "failed" ? "critical" : undefined}>
      {state === "failed" ? "Try the export again" : "Export CSV"}
    </Button>
  );
}

export default function Customers() {
  const { segments, atRisk, run, sentences, settings, writeStatus } = useLoaderData<typeof loader>();
  return (
    <Page>
      <TitleBar title="Customers" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Segments
                </Text>
                {run ? null : (
                  <Text as="p" tone="subdued">
                    No churn run yet: segments appear after the next training.
                  </Text>
                )}
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric"]}
                  headings={["Segment", "Customers", "Value"]}
                  rows={segments.map((s) => [LABELS[s.segment] ?? s.segment, s.customers, s.value.toFixed(2)])}
                />
                <ExportButton />
              </BlockStack>
            </Card>
            {run?.spend ? <SpendCard spend={run.spend} /> : null}
            {run?.segmentSizes ? <SegmentSizesCard sizes={run.segmentSizes} /> : null}
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  At-risk customers with the most value
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "text", "text"]}
                  headings={["Customer", "Risk", "Value", "Expected next order", "Recommended for them"]}
                  rows={atRisk.map((c) => [
                    c.customerId,
                    `${Math.round(c.risk * 100)} %`,
                    c.value.toFixed(2),
                    c.expectedNextAt.slice(0, 10),
                    c.products.join(", ") || "—",
                  ])}
                />
              </BlockStack>
            </Card>
            {run ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    How good the risk scores are
                  </Text>
                  {sentences.map((s) => (
                    <Text as="p" key={s}>
                      {s}
                    </Text>
                  ))}
                </BlockStack>
              </Card>
            ) : null}
            <InsightActionsCard
              tagsEnabled={settings.tagsEnabled}
              metafieldsEnabled={settings.metafieldsEnabled}
              status={writeStatus}
            />
            <ThresholdsCard atRiskThreshold={settings.atRiskThreshold} championShare={settings.championShare} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
