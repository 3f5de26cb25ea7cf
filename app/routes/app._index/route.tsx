import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { Banner, BlockStack, Card, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import { authenticate } from "../../shopify.server";
import { DashboardSection } from "../../components/admin/dashboard-section";
import { OnboardingCard } from "../../components/admin/onboarding-card";
import { loadDashboard } from "../../lib/admin/dashboard.server";
import { parseDateRange } from "../../lib/admin/date-range";
import { themeEditorLink } from "../../lib/admin/onboarding";
import { loadOnboarding } from "../../lib/admin/onboarding.server";
import { connectPixel } from "../../lib/admin/pixel-status.server";
import { adminContext } from "../../admin-context.server";
import { findShop } from "../../lib/shops/registry.server";

/**
 * While the import or training runs, the page reloads its data this often; while other steps
 * are open (the merchant is adding the block in another tab), less often.
 */
const POLL_MS = { live: 3_000, waiting: 10_000 };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const ctx = adminContext(session);
  const themeEditorUrl = themeEditorLink(session.shop, ctx.apiKey);
  const shop = await findShop(ctx.db, session.shop);
  if (!shop) return { shop: session.shop, themeEditorUrl, onboarding: null, dashboard: null };
  const range = parseDateRange(new URL(request.url).searchParams, new Date(), shop.timeZone);
  const [onboarding, dashboard] = await Promise.all([loadOnboarding(ctx, shop), loadDashboard(ctx.db, shop, range)]);
  return { shop: session.shop, themeEditorUrl, onboarding, dashboard };
};

const intent = z.object({ intent: z.literal("connect-pixel") });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = intent.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw new Response("Unknown action", { status: 400 });
  return connectPixel(adminContext(session).admin);
};

export default function Home() {
  const { shop, themeEditorUrl, onboarding, dashboard } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const revalidator = useRevalidator();
  const every = !onboarding || onboarding.live ? POLL_MS.live : onboarding.complete ? null : POLL_MS.waiting;

  useEffect(() => {
    if (every === null) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), every);
    return () => clearInterval(timer);
  }, [every, revalidator]);

  return (
    <Page>
      <TitleBar title="Affinity" />
      <BlockStack gap="500">
        {result ? <Banner tone={result.ok ? "success" : "critical"} title={result.message} /> : null}
        {!onboarding ? (
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                Finishing installation…
              </Text>
              <Text as="p" tone="subdued">
                {`Affinity is getting ${shop} ready. This page updates by itself.`}
              </Text>
            </BlockStack>
          </Card>
        ) : null}
        {onboarding && !onboarding.complete ? (
          <Layout>
            <Layout.Section variant="fullWidth">
              <OnboardingCard steps={onboarding.steps} />
            </Layout.Section>
          </Layout>
        ) : null}
        {dashboard ? (
          <DashboardSection dashboard={dashboard} themeEditorUrl={onboarding?.blockSeen ? null : themeEditorUrl} />
        ) : null}
      </BlockStack>
    </Page>
  );
}
