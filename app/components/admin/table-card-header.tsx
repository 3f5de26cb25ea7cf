import { BlockStack, Box, Text } from "@shopify/polaris";

/**
 * The title and subtitle of a card whose table runs edge to edge (`<Card padding="0">`): the
 * header keeps the card's usual inset, the table does not, as in Shopify's own index pages.
 */
export function TableCardHeader({ title, subtitle }: { title: string; subtitle: string }) {
  return (
    <Box paddingBlockStart="400" paddingBlockEnd="200" paddingInline="400">
      <BlockStack gap="100">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {subtitle}
        </Text>
      </BlockStack>
    </Box>
  );
}
