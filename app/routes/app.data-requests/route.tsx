import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { useState } from "react";
import { authenticate } from "../../shopify.server";
import { formatDay } from "../../lib/admin/format";
import { DATA_REQUEST_DAYS, listDataRequests } from "../../lib/admin/data-requests.server";
import type { DataRequestRow } from "../../lib/admin/data-requests.server";
import { adminContext, orNotFound } from "../../admin-context.server";
import { requireShop } from "../../lib/shops/registry.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { db } = adminContext(session);
  const shop = await orNotFound(requireShop(db, session.shop));
  return { requests: await listDataRequests(db, shop), timeZone: shop.timeZone, dueDays: DATA_REQUEST_DAYS };
};

const STATUS: Record<DataRequestRow["status"], { label: string; tone: "success" | "attention" | "critical" }> = {
  downloaded: { label: "Downloaded", tone: "success" },
  due: { label: "To hand over", tone: "attention" },
  overdue: { label: "Overdue", tone: "critical" },
};

/**
 * Fetches the report through App Bridge (which adds the session token) and saves it: a plain
 * link would open without the token and be sent to log in.
 */
async function saveReport(id: string): Promise<void> {
  const response = await fetch(`/app/data-requests/${encodeURIComponent(id)}/download`);
  if (!response.ok) throw new Error(`The report could not be downloaded (${response.status}).`);
  const filename = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "report.json";
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

function DownloadButton({ id }: { id: string }) {
  const [state, setState] = useState<"idle" | "loading" | "failed">("idle");
  const download = () => {
    setState("loading");
    saveReport(id).then(
      () => setState("idle"),
      () => setState("failed"),
    );
  };
  return (
    <Button onClick={download} loading={state === "loading"} tone={state === "failed" ? "critical" : undefined}>
      {state === "failed" ? "Try again" : "Download JSON"}
    </Button>
  );
}

export default function DataRequests() {
  const { requests, timeZone, dueDays } = useLoaderData<typeof loader>();
  return (
    <Page>
      <TitleBar title="Data requests" />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Text as="p" tone="subdued">
              {`When a customer asks for their data, Shopify tells Affinity, and Affinity gathers everything it stores about them: ` +
                `orders, storefront activity, holdout assignments, attributed sales and their recommendations. ` +
                `Download the report and send it to the customer within ${dueDays} days. Dates are in ${timeZone}.`}
            </Text>
            <Card padding="0">
              {requests.length === 0 ? (
                <Box padding="400">
                  <Text as="p">
                    No data requests yet. They appear here when a customer asks your store for their data.
                  </Text>
                </Box>
              ) : (
                <IndexTable
                  resourceName={{ singular: "data request", plural: "data requests" }}
                  itemCount={requests.length}
                  selectable={false}
                  headings={[
                    { title: "Customer" },
                    { title: "Received" },
                    { title: "Due" },
                    { title: "Status" },
                    { title: "Report" },
                  ]}
                >
                  {requests.map((r, index) => (
                    <IndexTable.Row id={r.id} key={r.id} position={index}>
                      <IndexTable.Cell>{`Customer ${r.customerShopifyId}`}</IndexTable.Cell>
                      <IndexTable.Cell>{formatDay(r.receivedOn)}</IndexTable.Cell>
                      <IndexTable.Cell>{formatDay(r.dueOn)}</IndexTable.Cell>
                      <IndexTable.Cell>
                        <Badge tone={STATUS[r.status].tone}>
                          {r.downloadedOn
                            ? `${STATUS[r.status].label} ${formatDay(r.downloadedOn, "short")}`
                            : STATUS[r.status].label}
                        </Badge>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <DownloadButton id={r.id} />
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              )}
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
