import { Badge, Card, IndexTable, Text } from "@shopify/polaris";
import { formatCount, formatDateTime, formatDuration } from "../../lib/admin/format";
import { TableCardHeader } from "./table-card-header";
import { RANKERS, type RankerName } from "../../lib/admin/model-metrics";
import type { RunSummary } from "../../lib/admin/model-runs.server";

const STATUS: Record<string, { tone?: "success" | "critical" | "info" | "attention"; label: string }> = {
  completed: { tone: "success", label: "Completed" },
  running: { tone: "info", label: "Running" },
  queued: { label: "Queued" },
  failed: { tone: "critical", label: "Failed" },
  skipped: { label: "Skipped" },
};

const TRIGGER: Record<string, string> = {
  install: "After install",
  orders: "New orders",
  schedule: "Schedule",
  manual: "Retrain now",
  redact: "Data removal",
};

export const servedLabel = (served: string | null) => (served ? (RANKERS[served as RankerName]?.label ?? served) : "—");

export function RunHistory({ runs, activeId }: { runs: RunSummary[]; activeId: string | null }) {
  return (
    <Card padding="0">
      <TableCardHeader
        title="Training history"
        subtitle={`${runs.length === 1 ? "The latest run" : `The latest ${runs.length} runs`}. Each one is checked against the baselines before it is served.`}
      />
      <IndexTable
        resourceName={{ singular: "run", plural: "runs" }}
        itemCount={runs.length}
        selectable={false}
        headings={[
          { title: "Started" },
          { title: "Trigger" },
          { title: "Status" },
          { title: "Outcome" },
          { title: "Orders", alignment: "end" },
          { title: "Duration", alignment: "end" },
          { title: "Backend" },
        ]}
      >
        {runs.map((run, index) => {
          const status = STATUS[run.status] ?? { label: run.status };
          return (
            <IndexTable.Row id={run.id} key={run.id} position={index}>
              <IndexTable.Cell>{formatDateTime(run.startedAt ?? run.createdAt)}</IndexTable.Cell>
              <IndexTable.Cell>{TRIGGER[run.trigger] ?? run.trigger}</IndexTable.Cell>
              <IndexTable.Cell>
                <Badge tone={status.tone}>{status.label}</Badge>
              </IndexTable.Cell>
              <IndexTable.Cell>
                {run.id === activeId ? (
                  <Text as="span" fontWeight="semibold">{`${servedLabel(run.served)} (serving)`}</Text>
                ) : (
                  servedLabel(run.served)
                )}
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {formatCount(run.orders)}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {formatDuration(run.durationMs)}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>{run.backend ?? "—"}</IndexTable.Cell>
            </IndexTable.Row>
          );
        })}
      </IndexTable>
    </Card>
  );
}
