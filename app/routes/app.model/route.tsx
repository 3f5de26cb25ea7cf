import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { Banner, BlockStack, Box, Card, Layout, Page, Text } from "@shopify/polaris";
import { TitleBar } from "@shopify/app-bridge-react";
import { z } from "zod";
import { authenticate } from "../../shopify.server";
import { MetricsTable } from "../../components/admin/metrics-table";
import { RunHistory } from "../../components/admin/run-history";
import { TableCardHeader } from "../../components/admin/table-card-header";
import { TrainingProgressBar } from "../../components/admin/training-progress";
import { modelOverview } from "../../lib/admin/model-runs.server";
import { NothingToRollBackError, rollBackModel } from "../../lib/training/rollback.server";
import { adminContext, orNotFound } from "../../admin-context.server";
import { requestRetrain, trainingProgress, type TrainingProgress } from "../../lib/admin/training-progress.server";
import { queueConnected } from "../../queues.server";
import { CurrentModelCard } from "./current-model-card";
import { StrategyFiguresCard } from "./strategy-figures-card";

/** How often the page asks for training progress while a job is queued or running. */
const POLL_MS = 1_500;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const ctx = adminContext(session);
  const [overview, progress] = await Promise.all([
    orNotFound(modelOverview(ctx.db, session.shop)),
    trainingProgress(ctx.trainQueue(), session.shop),
  ]);
  return { overview, progress };
};

const actionInput = z.object({ intent: z.enum(["retrain", "rollback"]) });

export type ModelActionResult = { ok: boolean; message: string; progress?: TrainingProgress };

export const action = async ({ request }: ActionFunctionArgs): Promise<ModelActionResult> => {
  const { session } = await authenticate.admin(request);
  const parsed = actionInput.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw new Response("Unknown action", { status: 400 });
  const ctx = adminContext(session);
  if (!(await queueConnected())) {
    return { ok: false, message: "Affinity's job queue is not reachable right now. Try again in a minute." };
  }
  if (parsed.data.intent === "retrain") {
    const progress = await requestRetrain(ctx.trainQueue(), session.shop);
    return { ok: true, message: "Training started.", progress };
  }
  try {
    const outcome = await orNotFound(rollBackModel(ctx, session.shop));
    return outcome.kind === "served"
      ? { ok: true, message: "Rolled back: shoppers now get the previous model's recommendations." }
      : {
          ok: true,
          message:
            "The previous model's recommendations are being rebuilt from its saved copy. Shoppers get them in a minute or two.",
        };
  } catch (error) {
    if (error instanceof NothingToRollBackError) return { ok: false, message: error.message };
    throw error;
  }
};

/** Training progress: the loader's at first, then the freshest of a retrain answer or a poll. */
function useTrainingProgress(initial: TrainingProgress) {
  const poll = useFetcher<TrainingProgress>();
  const retrain = useFetcher<ModelActionResult>({ key: "retrain" });
  const revalidator = useRevalidator();
  const [progress, setProgress] = useState(initial);
  const wasBusy = useRef(initial.state !== "idle");

  useEffect(() => setProgress(initial), [initial]);
  useEffect(() => {
    if (poll.data) setProgress(poll.data);
  }, [poll.data]);
  useEffect(() => {
    if (retrain.data?.progress) setProgress(retrain.data.progress);
  }, [retrain.data]);

  const busy = progress.state !== "idle";
  useEffect(() => {
    // A run that just ended changed the model and the history: reload the page's data once.
    if (wasBusy.current && !busy) revalidator.revalidate();
    wasBusy.current = busy;
    if (!busy) return;
    const timer = setInterval(() => poll.state === "idle" && poll.load("/app/model/progress"), POLL_MS);
    return () => clearInterval(timer);
  }, [busy, poll, revalidator]);

  const start = () => retrain.submit({ intent: "retrain" }, { method: "post" });
  return { progress, busy, start, retraining: retrain.state !== "idle", result: retrain.data };
}

export default function ModelPage() {
  const { overview, progress: initial } = useLoaderData<typeof loader>();
  const training = useTrainingProgress(initial);
  const rollback = useFetcher<ModelActionResult>({ key: "rollback" });
  const result = rollback.data ?? (training.result?.ok === false ? training.result : undefined);
  const active = overview.active;

  return (
    <Page>
      <TitleBar title="Model" />
      <Layout>
        {result ? (
          <Layout.Section variant="fullWidth">
            <Banner tone={result.ok ? "success" : "critical"} title={result.message} />
          </Layout.Section>
        ) : null}
        {active?.note ? (
          <Layout.Section variant="fullWidth">
            <Banner tone="info" title="Your shop is being served a baseline">
              <BlockStack gap="100">
                <Text as="p">{active.note}</Text>
                {active.reason ? (
                  <Text as="p" variant="bodySm" tone="subdued">
                    {`Training log: ${active.reason}`}
                  </Text>
                ) : null}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section variant="fullWidth">
          <CurrentModelCard
            overview={overview}
            training={training.busy}
            retraining={training.retraining}
            onRetrain={training.start}
          />
        </Layout.Section>
        {training.busy ? (
          <Layout.Section variant="fullWidth">
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Training in progress
                </Text>
                <TrainingProgressBar progress={training.progress} />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {active && active.strategies.length > 0 ? (
          <Layout.Section variant="fullWidth">
            <StrategyFiguresCard figures={active.strategies} bestSellers={active.bestSellers} />
          </Layout.Section>
        ) : null}
        {active ? (
          <Layout.Section variant="fullWidth">
            <Card padding="0">
              <BlockStack gap="200">
                <TableCardHeader
                  title="How well it ranks"
                  subtitle="The model beside the simpler rankers it has to beat, scored the same way on your own orders."
                />
                <Box paddingBlockEnd="200">
                  <MetricsTable rows={active.metrics} />
                </Box>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {overview.history.length > 0 ? (
          <Layout.Section variant="fullWidth">
            <RunHistory runs={overview.history} activeId={active?.id ?? null} />
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
