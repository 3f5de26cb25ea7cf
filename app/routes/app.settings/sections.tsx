import { Banner, BlockStack, Button, Card, Checkbox, ChoiceList, Layout, Text, TextField } from "@shopify/polaris";
import type { RepeatRate } from "../../lib/admin/repeat-rate.server";
import { formatCount, formatCountOf } from "../../lib/admin/format";
import type { FieldErrors } from "../../lib/settings/form";
import type { FormState } from "./form-state";
import { PickerField } from "./picker-field";
import { TagsField } from "./tags-field";

export interface SectionProps {
  state: FormState;
  set: <K extends keyof FormState>(key: K, value: FormState[K]) => void;
  errors: FieldErrors;
}

export function BlockSection({ state, set, errors, themeEditorUrl }: SectionProps & { themeEditorUrl: string }) {
  return (
    <Layout.AnnotatedSection
      title="Recommendations block"
      description="Defaults for every “Recommended for you” block. A block's own settings in the theme editor win."
    >
      <Card>
        <BlockStack gap="300">
          <TextField
            label="Default heading"
            placeholder="Recommended for you"
            helpText="Used by blocks whose heading is left empty. Leave this empty for the translated “Recommended for you”."
            value={state.blockHeading}
            onChange={(value) => set("blockHeading", value)}
            error={errors.blockHeading}
            autoComplete="off"
            maxLength={80}
            showCharacterCount
          />
          <Text as="p" variant="bodySm" tone="subdued">
            Product count, layout, prices and the add-to-cart button are set per block.{" "}
            <Button variant="plain" url={themeEditorUrl} target="_top">
              Open the theme editor
            </Button>
          </Text>
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

function RepeatSuggestion({ repeat, state, set }: { repeat: RepeatRate | null } & Omit<SectionProps, "errors">) {
  if (!repeat) {
    return (
      <Text as="p" variant="bodySm" tone="subdued">
        No customer has ordered twice yet, so there is no suggestion from your orders.
      </Text>
    );
  }
  const share = `${Math.round(repeat.share * 100)}%`;
  const advice = repeat.suggestIncludePurchased ? "We suggest showing them." : "We suggest leaving them out.";
  const matches = state.includePurchased === repeat.suggestIncludePurchased;
  return (
    <Banner tone={matches ? "info" : "warning"}>
      <BlockStack gap="200">
        <Text as="p">
          {`In your shop, ${share} of the products in a repeat customer's latest order were products they had bought before ` +
            `(${formatCountOf(repeat.customers, "customer")}). ${advice}`}
        </Text>
        {matches ? null : (
          <div>
            <Button onClick={() => set("includePurchased", repeat.suggestIncludePurchased)}>Use the suggestion</Button>
          </div>
        )}
      </BlockStack>
    </Banner>
  );
}

export function ProductsSection({ state, set, errors, repeat }: SectionProps & { repeat: RepeatRate | null }) {
  return (
    <Layout.AnnotatedSection
      title="What to recommend"
      description="Rules applied after ranking, on every request. Changes reach the storefront within seconds."
    >
      <Card>
        <BlockStack gap="400">
          <BlockStack gap="200">
            <Checkbox
              label="Include products the customer bought before"
              helpText="Good for consumables and wholesale, where customers reorder the same things."
              checked={state.includePurchased}
              onChange={(value) => set("includePurchased", value)}
              error={errors.includePurchased}
            />
            <RepeatSuggestion repeat={repeat} state={state} set={set} />
          </BlockStack>
          <Checkbox
            label="Hide out-of-stock products"
            helpText="Products that can be sold when out of stock (continue selling, or untracked) are still shown."
            checked={state.hideOutOfStock}
            onChange={(value) => set("hideOutOfStock", value)}
            error={errors.hideOutOfStock}
          />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

export function ExclusionsSection({ state, set, errors }: SectionProps) {
  return (
    <Layout.AnnotatedSection
      title="Exclusions"
      description="Never recommended. Collections are looked up when you save; save again after changing a collection."
    >
      <Card>
        <BlockStack gap="500">
          <PickerField
            name="excludedProducts"
            kind="product"
            label="Products"
            emptyText="No products excluded."
            items={state.excludedProducts}
            onChange={(items) => set("excludedProducts", items)}
            error={errors.excludedProductIds}
            max={500}
          />
          <PickerField
            name="excludedCollections"
            kind="collection"
            label="Collections"
            emptyText="No collections excluded."
            items={state.excludedCollections}
            onChange={(items) => set("excludedCollections", items)}
            error={errors.excludedCollections}
            max={50}
          />
          <TagsField
            tags={state.excludedTags}
            onChange={(tags) => set("excludedTags", tags)}
            error={errors.excludedTags}
          />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

export function PinnedSection({ state, set, errors }: SectionProps) {
  return (
    <Layout.AnnotatedSection
      title="Pinned products"
      description="Shown first, in this order, wherever the block appears and they are in stock and not in the cart."
    >
      <Card>
        <PickerField
          name="pinnedProducts"
          kind="product"
          label="Pinned products"
          emptyText="Nothing pinned: the model decides every slot."
          items={state.pinnedProducts}
          onChange={(items) => set("pinnedProducts", items)}
          error={errors.pinnedProductIds}
          max={12}
          ordered
        />
      </Card>
    </Layout.AnnotatedSection>
  );
}

export function ExperimentSection({ state, set, errors }: SectionProps) {
  return (
    <Layout.AnnotatedSection
      title="Holdout experiment"
      description="A share of visitors does not get recommendations, so the dashboard can show what the block adds. Changing the share starts a new experiment."
    >
      <Card>
        <BlockStack gap="400">
          <TextField
            label="Holdout"
            type="number"
            suffix="% of visitors"
            value={state.holdoutPercent}
            onChange={(value) => set("holdoutPercent", value)}
            error={errors.holdoutPercent}
            helpText="0 turns the experiment off. 10% is a good balance between proof and sales."
            autoComplete="off"
            min={0}
            max={50}
          />
          <ChoiceList
            title="The holdout group sees"
            choices={[
              { label: "Nothing: the block stays empty", value: "none" },
              { label: "Best sellers, the same for everyone", value: "best_sellers" },
            ]}
            selected={[state.controlExperience]}
            onChange={([value]) => value && set("controlExperience", value as FormState["controlExperience"])}
            error={errors.controlExperience}
          />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}

export function TrainingSection({ state, set, errors, trainAfterOrders }: SectionProps & { trainAfterOrders: number }) {
  const also =
    trainAfterOrders === 1 ? "after every new order" : `after every ${formatCount(trainAfterOrders)} new orders`;
  return (
    <Layout.AnnotatedSection
      title="Training and attribution"
      description="How often the model learns from new orders, and how long a recommendation gets credit for a sale."
    >
      <Card>
        <BlockStack gap="400">
          <ChoiceList
            title="Retrain"
            choices={[
              { label: "Daily", value: "daily", helpText: `Recommended. Also ${also}.` },
              { label: "Weekly", value: "weekly", helpText: `On Mondays, and ${also}.` },
              { label: "Only when I click “Retrain now”", value: "manual", helpText: `And ${also}.` },
            ]}
            selected={[state.retrainFrequency]}
            onChange={([value]) => value && set("retrainFrequency", value as FormState["retrainFrequency"])}
            error={errors.retrainFrequency}
          />
          <TextField
            label="Attribution window"
            type="number"
            suffix="days"
            value={state.attributionWindowDays}
            onChange={(value) => set("attributionWindowDays", value)}
            error={errors.attributionWindowDays}
            helpText="An order counts as the block's when it follows a click on the same product within this time."
            autoComplete="off"
            min={1}
            max={30}
          />
        </BlockStack>
      </Card>
    </Layout.AnnotatedSection>
  );
}
