import { Form, useNavigation } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  Divider,
  Icon,
  InlineStack,
  ProgressBar,
  Spinner,
  Text,
} from "@shopify/polaris";
import { AlertCircleIcon, CheckCircleIcon, InfoIcon } from "@shopify/polaris-icons";
import type { OnboardingStep, ProgressLine, StepStatus } from "../../lib/admin/onboarding";

const BADGE: Record<StepStatus, { tone?: "success" | "info" | "critical" | "attention"; label: string }> = {
  complete: { tone: "success", label: "Done" },
  in_progress: { tone: "info", label: "In progress" },
  incomplete: { label: "To do" },
  attention: { tone: "critical", label: "Needs attention" },
  unknown: { tone: "attention", label: "Not yet checked" },
};

function StatusIcon({ status }: { status: StepStatus }) {
  if (status === "complete") return <Icon source={CheckCircleIcon} tone="success" />;
  if (status === "in_progress") return <Spinner size="small" accessibilityLabel="In progress" />;
  if (status === "attention") return <Icon source={AlertCircleIcon} tone="critical" />;
  if (status === "unknown") return <Icon source={InfoIcon} tone="caution" />;
  // An empty ring, as Shopify's own setup guides show an open step.
  return (
    <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true">
      <circle cx="10" cy="10" r="7" fill="none" stroke="#8a8a8a" strokeWidth="1.5" strokeDasharray="3 2" />
    </svg>
  );
}

function Progress({ line }: { line: ProgressLine }) {
  return (
    <BlockStack gap="100">
      <InlineStack align="space-between">
        <Text as="span" variant="bodySm" fontWeight="medium">
          {line.label}
        </Text>
        <Text as="span" variant="bodySm" tone="subdued">
          {line.detail}
        </Text>
      </InlineStack>
      <ProgressBar progress={line.percent ?? 4} size="small" tone={line.percent === 100 ? "success" : "highlight"} />
    </BlockStack>
  );
}

function StepRow({ step, first }: { step: OnboardingStep; first: boolean }) {
  const navigation = useNavigation();
  const badge = BADGE[step.status];
  return (
    <li data-step={step.id} data-status={step.status} style={{ listStyle: "none" }}>
      <Box paddingBlock="300" borderBlockStartWidth={first ? "0" : "025"} borderColor="border-secondary">
        <InlineStack gap="300" wrap={false} blockAlign="start">
          <Box minWidth="20px">
            <StatusIcon status={step.status} />
          </Box>
          <Box width="100%">
            <BlockStack gap="200">
              <InlineStack align="space-between" blockAlign="center" gap="200">
                <Text as="h3" variant="headingSm">
                  {step.title}
                </Text>
                <Badge tone={badge.tone}>{badge.label}</Badge>
              </InlineStack>
              <Text as="p" tone="subdued">
                {step.detail}
              </Text>
              {step.progress && step.progress.length > 0 ? (
                <Box maxWidth="480px">
                  <BlockStack gap="200">
                    {step.progress.map((line) => (
                      <Progress key={line.label} line={line} />
                    ))}
                  </BlockStack>
                </Box>
              ) : null}
              {step.action?.kind === "link" ? (
                <InlineStack>
                  <Button url={step.action.url} target="_top" variant="primary">
                    {step.action.label}
                  </Button>
                </InlineStack>
              ) : null}
              {step.action?.kind === "submit" ? (
                <Form method="post">
                  <input type="hidden" name="intent" value={step.action.intent} />
                  <Button submit loading={navigation.state === "submitting"}>
                    {step.action.label}
                  </Button>
                </Form>
              ) : null}
            </BlockStack>
          </Box>
        </InlineStack>
      </Box>
    </li>
  );
}

export function OnboardingCard({ steps }: { steps: OnboardingStep[] }) {
  const done = steps.filter((s) => s.status === "complete").length;
  return (
    <Card>
      <BlockStack gap="300">
        <BlockStack gap="100">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Set up Affinity
            </Text>
            <Text as="span" variant="bodySm" tone="subdued">
              {done} of {steps.length} steps done
            </Text>
          </InlineStack>
          <Text as="p" tone="subdued">
            Affinity learns from your own orders. These steps update by themselves as each one finishes.
          </Text>
        </BlockStack>
        <ProgressBar progress={(done / steps.length) * 100} size="small" tone="success" />
        <Divider />
        <BlockStack as="ul">
          {steps.map((step, i) => (
            <StepRow key={step.id} step={step} first={i === 0} />
          ))}
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
