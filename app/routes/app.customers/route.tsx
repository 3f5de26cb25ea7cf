import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Button, Card, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { authenticate } from "../../shopify.server";
import { customersPage, metricsSentences } from "../../lib/admin/customers.server";
import { adminContext, orNotFound } from "../../admin-context.server";
import { requireShop } from "../../lib/shops/registry.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const ctx = adminContext(session);
  const shop = await orNotFound(requireShop(ctx.db, session.shop));
  const page = await customersPage(ctx, { id: shop.id, domain: shop.domain });
  return { ...page, sentences: page.run ? metricsSentences(page.run) : [] };
};

const LABELS: Record<string, string> = {
  new: "New",
  active: "Active",
  at_risk: "At risk",
  lapsed: "Lapsed",
  champion: "Champions",
};

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
  const { segments, atRisk, run, sentences } = useLoaderData<typeof loader>();
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
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
