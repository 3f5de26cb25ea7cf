import { describe, expect, it } from "vitest";
import { catalogFromCsv, ordersFromCsv, parseCsv } from "../../../app/lib/model/csv";

describe("CSV of the shared data set", () => {
  it("handles quoted commas and doubled quotes", () => {
    expect(parseCsv('a,"b,c","7"" SINGLE"\r\n1,2,3\n')).toEqual([
      ["a", "b,c", '7" SINGLE'],
      ["1", "2", "3"],
    ]);
  });

  it("groups lines into orders and reads the catalog", () => {
    const orders = ordersFromCsv(
      "customer_id,order_id,product_id,product_title,quantity,unit_price,timestamp_iso\n" +
        '17850,536365,21730,"GLASS STAR, FROSTED",6,4.25,2010-12-01T08:26:00\n' +
        "17850,536365,22752,SET 7 BABUSHKA,2,7.65,2010-12-01T08:26:00\n",
    );
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ orderId: "536365", customerId: "17850" });
    expect(orders[0]?.at.toISOString()).toBe("2010-12-01T08:26:00.000Z");
    expect(orders[0]?.items[1]).toEqual({ productId: "22752", quantity: 2, price: 7.65 });
    const catalog = catalogFromCsv("product_id,title,median_unit_price,n_orders\n85123A,WHITE HEART,2.95,1978\n");
    expect(catalog).toEqual([{ productId: "85123A", title: "WHITE HEART", price: 2.95 }]);
  });
});
