import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { authenticate } from "../shopify.server";
import { db } from "../db.server";
import { findShop } from "../lib/shops.server";
import { setupSteps } from "../lib/setup-steps";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await findShop(db, session.shop);
  return {
    shop: session.shop,
    installedAt: shop?.installedAt.toISOString() ?? null,
    steps: setupSteps({ installed: shop?.status === "installed" }),
  };
};

export default function Index() {
  const { shop, installedAt, steps } = useLoaderData<typeof loader>();
  return (
    <Page title="Affinity">
      <TitleBar title="Affinity" />
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Recommendations learned from {shop}
              </Text>
              <Text as="p" tone="subdued">
                {installedAt
                  ? `Installed on ${new Date(installedAt).toLocaleDateString("en", { dateStyle: "long" })}.`
                  : "Finishing installation…"}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Setup
              </Text>
              <BlockStack as="ul" gap="200">
                {steps.map((step) => (
                  <InlineStack as="li" key={step.id} align="space-between" blockAlign="center">
                    <Text as="span">{step.label}</Text>
                    <Badge tone={step.done ? "success" : undefined}>{step.done ? "Done" : "Not started"}</Badge>
                  </InlineStack>
                ))}
              </BlockStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
