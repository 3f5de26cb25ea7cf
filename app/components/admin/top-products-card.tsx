import { BlockStack, Box, Card, IndexTable, InlineStack, Text, Thumbnail } from "@shopify/polaris";
import { ImageIcon } from "@shopify/polaris-icons";
import { formatCount, formatMoney } from "../../lib/admin/format";
import type { TopProduct } from "../../lib/admin/top-products.server";
import { TableCardHeader } from "./table-card-header";

export function TopProductsCard({ products, currency }: { products: TopProduct[]; currency: string }) {
  return (
    <Card padding="0">
      <BlockStack gap="0">
        <TableCardHeader title="Top recommended products" subtitle="By revenue from recommendations in this period" />
        <IndexTable
          resourceName={{ singular: "product", plural: "products" }}
          itemCount={products.length}
          selectable={false}
          headings={[
            { title: "Product" },
            { title: "Orders", alignment: "end" },
            { title: "Revenue", alignment: "end" },
          ]}
          emptyState={
            <Box paddingBlock="600" paddingInline="400">
              <Text as="p" tone="subdued" alignment="center">
                No order has come from a recommendation in this period yet.
              </Text>
            </Box>
          }
        >
          {products.map((product, index) => (
            <IndexTable.Row id={product.id} key={product.id} position={index}>
              <IndexTable.Cell>
                <InlineStack gap="300" blockAlign="center" wrap={false}>
                  <Thumbnail source={product.imageUrl ?? ImageIcon} alt="" size="small" />
                  <Text as="span" fontWeight="medium">
                    {product.title}
                  </Text>
                </InlineStack>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {formatCount(product.orders)}
                </Text>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" alignment="end" numeric>
                  {formatMoney(product.revenue, currency)}
                </Text>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </BlockStack>
    </Card>
  );
}
