import { useAppBridge } from "@shopify/app-bridge-react";
import { BlockStack, Button, InlineError, InlineStack, Text, Thumbnail } from "@shopify/polaris";
import { ImageIcon, XSmallIcon } from "@shopify/polaris-icons";

export interface PickedItem {
  id: string;
  title: string;
  imageUrl: string | null;
}

interface Props {
  /** Stable name for the field: its error key and its test hook. */
  name: string;
  kind: "product" | "collection";
  label: string;
  emptyText: string;
  items: PickedItem[];
  onChange: (items: PickedItem[]) => void;
  error?: string;
  /** The picker allows this many in all. */
  max: number;
  /** Keep the merchant's order (pinned products are shown in this order). */
  ordered?: boolean;
}

const numericId = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);
const gid = (kind: Props["kind"], id: string) => `gid://shopify/${kind === "product" ? "Product" : "Collection"}/${id}`;

/**
 * A list of products or collections chosen with App Bridge's resource picker (Shopify's own
 * picker, with search and thumbnails). The picker starts from the current choice, so it adds
 * and removes in one go; the × removes one item without opening it.
 */
export function PickerField(props: Props) {
  const shopify = useAppBridge();
  const pick = async () => {
    const selection = await shopify.resourcePicker({
      type: props.kind,
      action: "select",
      multiple: props.max,
      selectionIds: props.items.map((item) => ({ id: gid(props.kind, item.id) })),
      ...(props.kind === "product" ? { filter: { variants: false } } : {}),
    });
    if (!selection) return;
    const known = new Map(props.items.map((item) => [item.id, item]));
    props.onChange(
      selection.map((resource) => {
        const id = numericId(resource.id);
        const image =
          "images" in resource
            ? resource.images[0]?.originalSrc
            : "image" in resource
              ? resource.image?.originalSrc
              : undefined;
        return {
          id,
          title: resource.title ?? known.get(id)?.title ?? id,
          imageUrl: image ?? known.get(id)?.imageUrl ?? null,
        };
      }),
    );
  };

  return (
    <BlockStack gap="200">
      <InlineStack align="space-between" blockAlign="center">
        <Text as="h3" variant="headingSm">
          {props.label}
        </Text>
        <Button onClick={pick} accessibilityLabel={`Choose ${props.label.toLowerCase()}`}>
          {props.items.length > 0 ? "Edit" : "Choose"}
        </Button>
      </InlineStack>
      {props.items.length === 0 ? (
        <Text as="p" tone="subdued">
          {props.emptyText}
        </Text>
      ) : (
        <ul style={{ listStyle: "none", margin: 0, padding: 0 }} data-field={props.name}>
          {props.items.map((item, index) => (
            <li key={item.id} style={{ padding: "6px 0" }}>
              <InlineStack gap="300" blockAlign="center" wrap={false}>
                {props.ordered ? (
                  <Text as="span" tone="subdued" numeric>
                    {index + 1}.
                  </Text>
                ) : null}
                <Thumbnail source={item.imageUrl ?? ImageIcon} alt="" size="extraSmall" />
                <div style={{ flex: 1 }}>
                  <Text as="span">{item.title}</Text>
                </div>
                <Button
                  variant="tertiary"
                  icon={XSmallIcon}
                  accessibilityLabel={`Remove ${item.title}`}
                  onClick={() => props.onChange(props.items.filter((other) => other.id !== item.id))}
                />
              </InlineStack>
            </li>
          ))}
        </ul>
      )}
      {props.error ? <InlineError message={props.error} fieldID={props.name} /> : null}
    </BlockStack>
  );
}
