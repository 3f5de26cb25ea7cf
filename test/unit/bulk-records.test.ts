import { describe, expect, it } from "vitest";
import { BulkLineError, splitLines } from "../../app/lib/sync/bulk-jsonl";
import { orderRecordReader, productRecordReader, type RecordReader } from "../../app/lib/sync/bulk-records";
import { bulkJsonl, graphqlOrder, graphqlProduct } from "../helpers/bulk-fixtures";

function readAll<R>(reader: RecordReader<R>, lines: string[]) {
  const out: Array<{ record: R; lastLine: number }> = [];
  for (const line of lines) {
    const read = reader.push(line);
    if (read) out.push(read);
  }
  const last = reader.end();
  if (last) out.push(last);
  return out;
}

async function collect(chunks: Array<string | Uint8Array>): Promise<string[]> {
  async function* source() {
    yield* chunks;
  }
  const lines: string[] = [];
  for await (const line of splitLines(source())) lines.push(line);
  return lines;
}

describe("bulk JSONL reassembly", () => {
  it("given grouped lines, puts each variant back on its product and reports where each product ends", () => {
    const lines = bulkJsonl([graphqlProduct(1), graphqlProduct(2, { variants: [] }), graphqlProduct(3)], "variants");
    const read = readAll(productRecordReader(), lines);
    expect(read.map((r) => [r.record.shopifyId, r.record.variants.map((v) => v.shopifyId), r.lastLine])).toEqual([
      ["1001", ["10011", "10012"], 3],
      ["1002", [], 4],
      ["1003", ["10031", "10032"], 7],
    ]);
  });

  it("skips the lines an earlier run applied, counting them for line numbers", () => {
    const lines = bulkJsonl([graphqlProduct(1), graphqlProduct(2)], "variants");
    const read = readAll(productRecordReader(3), lines);
    expect(read.map((r) => [r.record.shopifyId, r.lastLine])).toEqual([["1002", 6]]);
  });

  it("refuses ungrouped output, naming the first child that is not below its parent", () => {
    const lines = bulkJsonl([graphqlProduct(1), graphqlProduct(2)], "variants", false);
    // Lines 1-2 are the products; line 3 is product 1's first variant, now under product 2.
    expect(() => readAll(productRecordReader(), lines)).toThrow(
      /^bulk result line 3: child of gid:\/\/shopify\/Product\/1001 is not directly below/,
    );
  });

  it("names the line of malformed JSON", () => {
    const lines = bulkJsonl([graphqlProduct(1)], "variants");
    lines.splice(2, 0, '{"id": "gid://shopify/ProductVariant/1", ');
    const error = (() => {
      try {
        readAll(productRecordReader(), lines);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BulkLineError);
    expect((error as BulkLineError).lineNumber).toBe(3);
    expect((error as Error).message).toMatch(/^bulk result line 3: not valid JSON/);
  });

  it("names the line and field of an object with the wrong shape", () => {
    const product = graphqlProduct(1);
    const lines = bulkJsonl([{ ...product, variants: [{ ...product.variants![0]!, price: undefined }] }], "variants");
    expect(() => readAll(productRecordReader(), lines)).toThrow(/^bulk result line 2: unexpected shape: price/);
  });
});

describe("mapping bulk objects to records", () => {
  it("maps a product: numeric ids, decimal-string prices, tag list, availability, image", () => {
    const [read] = readAll(
      productRecordReader(),
      bulkJsonl([graphqlProduct(7, { tags: ["a", " b "], status: "UNLISTED" })], "variants"),
    );
    expect(read!.record).toEqual({
      shopifyId: "1007",
      title: "Product 7",
      handle: "product-7",
      productType: "Shirts",
      vendor: "Acme",
      tags: ["a", "b"],
      status: "unlisted",
      isGiftCard: false,
      publishedAt: new Date("2026-01-05T09:00:00Z"),
      image: { url: "https://cdn.shopify.com/p7.jpg", width: 800, height: 600, alt: "Product 7" },
      createdAt: new Date("2025-06-01T08:00:00Z"),
      updatedAt: new Date("2026-11-01T10:00:00Z"),
      variants: [
        {
          shopifyId: "10071",
          title: "Small",
          sku: "SKU-7-1",
          price: "19.90",
          compareAtPrice: null,
          position: 1,
          available: true,
          inventoryQuantity: 5,
        },
        {
          shopifyId: "10072",
          title: "Large",
          sku: "SKU-7-2",
          price: "19.90",
          compareAtPrice: "24.00",
          position: 2,
          available: false,
          inventoryQuantity: 0,
        },
      ],
    });
  });

  it("maps a product without media, publication or SKU to nulls", () => {
    const product = graphqlProduct(8, { featuredMedia: null, publishedAt: null, productType: "" });
    product.variants = [{ ...product.variants![0]!, sku: "", inventoryQuantity: null }];
    const [read] = readAll(productRecordReader(), bulkJsonl([product], "variants"));
    expect(read!.record).toMatchObject({ image: null, publishedAt: null, productType: "" });
    expect(read!.record.variants[0]).toMatchObject({ sku: null, inventoryQuantity: null });
  });

  it("maps an order with its lines, in shop money, with REST-style lower-case status", () => {
    const [read] = readAll(orderRecordReader(), bulkJsonl([graphqlOrder(3)], "lineItems"));
    expect(read!.record).toEqual({
      shopifyId: "5003",
      name: "#1003",
      customerShopifyId: "703",
      currency: "EUR",
      subtotalPrice: "39.80",
      totalPrice: "44.80",
      financialStatus: "paid",
      sourceName: "web",
      noteAttributes: [{ name: "gift", value: "yes" }],
      test: false,
      processedAt: new Date("2026-10-01T12:00:00Z"),
      createdAt: new Date("2026-10-01T12:00:00Z"),
      updatedAt: new Date("2026-10-01T12:00:00Z"),
      cancelledAt: null,
      lines: [
        {
          shopifyId: "50030",
          productShopifyId: "1001",
          variantShopifyId: "10011",
          title: "Product 1",
          quantity: 1,
          price: "19.90",
          properties: [{ name: "_affinity_rec", value: "r-1" }],
        },
        {
          shopifyId: "50031",
          productShopifyId: "1002",
          variantShopifyId: "10021",
          title: "Product 2",
          quantity: 2,
          price: "19.90",
          properties: [],
        },
      ],
    });
  });

  it("maps a guest order with a deleted product and no subtotal", () => {
    const order = {
      ...graphqlOrder(4, { lines: 1 }),
      customer: null,
      subtotalPriceSet: null,
      displayFinancialStatus: "PARTIALLY_REFUNDED",
    };
    order.lineItems = [{ ...order.lineItems![0]!, product: null, variant: null }];
    const [read] = readAll(orderRecordReader(), bulkJsonl([order], "lineItems"));
    expect(read!.record).toMatchObject({
      customerShopifyId: null,
      subtotalPrice: "44.80",
      financialStatus: "partially_refunded",
    });
    expect(read!.record.lines[0]).toMatchObject({ productShopifyId: null, variantShopifyId: null });
  });
});

describe("splitLines", () => {
  it("reassembles lines cut across chunks, including a multi-byte character and CRLF", async () => {
    const bytes = new TextEncoder().encode('{"t":"ä"}\r\n{"t":"b"}\n{"t":"c"}');
    const cut = bytes.indexOf(0xa4); // inside the two bytes of "ä"
    expect(await collect([bytes.slice(0, cut), bytes.slice(cut, cut + 5), bytes.slice(cut + 5)])).toEqual([
      '{"t":"ä"}',
      '{"t":"b"}',
      '{"t":"c"}',
    ]);
  });

  it("yields nothing for an empty body and no empty last line for a trailing newline", async () => {
    expect(await collect([])).toEqual([]);
    expect(await collect(["a\n", "b\n"])).toEqual(["a", "b"]);
  });
});
