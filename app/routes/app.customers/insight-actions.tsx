import { useActionData, useNavigation, useRevalidator, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, DataTable, InlineStack, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { InsightPreview, InsightWriteStatus } from "../../lib/insights/admin.server";

type ActionResult =
  | { form: string; ok: false; errors: string[] }
  | { form: string; ok: true; errors: []; preview?: InsightPreview; queued?: boolean }
  | undefined;

const KIND_LABELS: Record<string, string> = {
  tagsAdd: "Tags added",
  tagsRemove: "Tags removed",
  metafieldsSet: "Metafields written",
  metafieldsDelete: "Metafields removed",
};

/** How often the page reloads the write's progress while one runs. */
const PROGRESS_POLL_MS = 3_000;

function describeChange(c: InsightPreview["sample"][number]): string {
  if (c.kind === "tagsAdd" || c.kind === "tagsRemove") return `${KIND_LABELS[c.kind]}: ${c.tags.join(", ")}`;
  if (c.kind === "metafieldsDelete") return "Remove churn_risk, segment, expected_next_order";
  return `churn_risk ${c.values.churn_risk}, segment ${c.values.segment}, next order ${c.values.expected_next_order}`;
}

function PreviewBanner({ preview }: { preview: InsightPreview }) {
  const nothing = preview.customers === 0;
  return (
    <Banner
      tone="info"
      title={nothing ? "Nothing to change in Shopify" : `This write changes ${preview.customers} customers`}
    >
      <BlockStack gap="200">
        <DataTable
          columnContentTypes={["text", "numeric"]}
          headings={["Change", "Customers"]}
          rows={Object.entries(preview.byKind).map(([kind, n]) => [KIND_LABELS[kind] ?? kind, n])}
        />
        {Object.keys(preview.tagged).length > 0 ? (
          <Text as="p">
            {Object.entries(preview.tagged)
              .map(([tag, n]) => `${tag}: ${n}`)
              .join(" · ")}
          </Text>
        ) : null}
        {preview.sample.length > 0 ? (
          <DataTable
            columnContentTypes={["text", "text"]}
            headings={["Sample customer", "Change"]}
            rows={preview.sample.map((c) => [c.customerId, describeChange(c)])}
          />
        ) : null}
      </BlockStack>
    </Banner>
  );
}

function Progress({ status }: { status: InsightWriteStatus }) {
  const revalidator = useRevalidator();
  const running = status.status === "running";
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => revalidator.revalidate(), PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [running, revalidator]);
  const counts = `${status.written} changes written, ${status.failed} refused by Shopify`;
  if (running) {
    const step = status.step ? `${KIND_LABELS[status.step] ?? status.step}: ${status.objectCount} lines done. ` : "";
    return (
      <Banner tone="info" title="Writing to Shopify">
        <p>{`${step}${counts} of ${status.planned} planned.`}</p>
        {status.error ? (
          <p>{`Last attempt stopped: ${status.error}. It is retried and resumes from what Shopify confirmed.`}</p>
        ) : null}
      </Banner>
    );
  }
  if (status.status === "failed") {
    return (
      <Banner tone="critical" title="The last write stopped">
        <p>{`${status.error ?? "unknown error"}. ${counts}; what was confirmed stays written.`}</p>
      </Banner>
    );
  }
  return (
    <Text
      as="p"
      tone="subdued"
    >{`Last write finished ${status.finishedAt?.slice(0, 16).replace("T", " ") ?? ""} UTC: ${counts}.`}</Text>
  );
}

export function InsightActionsCard(props: {
  tagsEnabled: boolean;
  metafieldsEnabled: boolean;
  status: InsightWriteStatus | null;
}) {
  const data = useActionData<ActionResult>();
  const result = data?.form === "actions" ? data : undefined;
  const navigation = useNavigation();
  const [tags, setTags] = useState(props.tagsEnabled);
  const [metafields, setMetafields] = useState(props.metafieldsEnabled);
  const preview = result?.ok ? result.preview : undefined;
  // The preview answers for the boxes as they were; after a change, preview again before writing.
  const previewCurrent =
    preview && preview.options.tagsEnabled === tags && preview.options.metafieldsEnabled === metafields;
  const busy = navigation.state !== "idle";
  const submit = useSubmit();
  // Unticked boxes are left out, as a plain form would leave them out.
  const send = (intent: "preview" | "write") =>
    submit(
      { intent, ...(tags ? { tagsEnabled: "on" } : {}), ...(metafields ? { metafieldsEnabled: "on" } : {}) },
      { method: "post" },
    );
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Act on them in Shopify
        </Text>
        <Text as="p" tone="subdued">
          Off until you turn them on. Shopify segments, Shopify Email, Flow and your marketing channels can then target
          the tags; email templates can show the metafields. Turning an action off removes what it wrote.
        </Text>
        {result && !result.ok ? (
          <Banner tone="critical" title="Nothing changed">
            {result.errors.map((e) => (
              <p key={e}>{e}</p>
            ))}
          </Banner>
        ) : null}
        {result?.ok && result.queued ? (
          <Banner tone="success" title="Saved: the write to Shopify has started." />
        ) : null}
        <Checkbox
          label="Tag customers with their segment (affinity:at-risk, affinity:champion, …)"
          checked={tags}
          onChange={setTags}
        />
        <Checkbox
          label="Write churn risk, segment and expected next order to customer metafields"
          checked={metafields}
          onChange={setMetafields}
        />
        {previewCurrent ? <PreviewBanner preview={preview} /> : null}
        <InlineStack gap="200">
          <Button onClick={() => send("preview")} disabled={busy}>
            Preview changes
          </Button>
          <Button onClick={() => send("write")} variant="primary" disabled={busy || !previewCurrent}>
            Save and write to Shopify
          </Button>
        </InlineStack>
        {props.status ? <Progress status={props.status} /> : null}
      </BlockStack>
    </Card>
  );
}
