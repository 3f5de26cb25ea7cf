import { describe, expect, it } from "vitest";
import { ProxyQuery } from "../../../app/lib/app-proxy/proxy-query";

/** What URLSearchParams makes of a query string, as pairs. */
const reference = (query: string) => [...new URLSearchParams(query)];
const ours = (query: string) => {
  const parsed = new ProxyQuery(query);
  return parsed.names.map((name, i): [string, string] => [name, parsed.values[i]!]);
};

const PIECES = [
  "a",
  "shop",
  "x",
  "",
  "=",
  "==",
  "+",
  "a+b",
  "%20",
  "%2C",
  "%2c",
  "%",
  "%2",
  "%zz",
  "%%41",
  "%41",
  "%C3%A9",
  "%C3",
  "%E2%82%AC",
  "%E2%82",
  "%F0%9F%98%80",
  "%F0%9F%98",
  "%ED%A0%80",
  "%C0%80",
  "%FF",
  "%EF%BB%BFx",
  "é",
  "€",
  "\ud83d\ude00",
  "\ud800",
  "\udc00x",
  "1,2,3",
  "~-._",
  "%25",
  "%2B",
  "+%2B+",
];

describe("ProxyQuery parses as URLSearchParams does", () => {
  it("agrees on the block's and the proxy's own queries", () => {
    const block = new URLSearchParams({
      context: "product",
      limit: "8",
      history: "1,2,3",
      visitor: "visitor123",
      logged_in_customer_id: "",
      path_prefix: "/apps/affinity",
      shop: "a.myshopify.com",
    }).toString();
    expect(ours(block)).toEqual(reference(block));
  });

  it("agrees on repeats, empty names and values, '+', and good and bad escapes", () => {
    let compared = 0;
    for (const name of PIECES) {
      for (const value of PIECES) {
        for (const query of [
          `${name}=${value}`,
          `${name}=${value}&${name}=${value}`,
          `&${name}&=${value}&&`,
          `${name}${value}`,
          `${value}=${name}=${value}&b=1`,
        ]) {
          expect(ours(query), query).toEqual(reference(query));
          compared++;
        }
      }
    }
    expect(compared).toBe(PIECES.length * PIECES.length * 5);
  });

  it("agrees on random strings of the characters that matter", () => {
    const alphabet = ["a", "Z", "0", "9", "f", "F", "%", "+", "&", "=", ",", "é", "\ud83d", "\ude00", " ", "~"];
    let seed = 19;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let n = 0; n < 3_000; n++) {
      let query = "";
      const length = next() % 24;
      for (let i = 0; i < length; i++) query += alphabet[next() % alphabet.length];
      expect(ours(query), JSON.stringify(query)).toEqual(reference(query));
    }
  });

  it("answers get, getAll and iteration as URLSearchParams does", () => {
    const query = "a=1&b=&a=2&c&a=3";
    const parsed = new ProxyQuery(query);
    const params = new URLSearchParams(query);
    for (const name of ["a", "b", "c", "d"]) {
      expect(parsed.get(name)).toBe(params.get(name));
      expect(parsed.getAll(name)).toEqual(params.getAll(name));
      expect(parsed.count(name)).toBe(params.getAll(name).length);
    }
    expect([...parsed]).toEqual([...params]);
    expect(ProxyQuery.from(params).names).toEqual(parsed.names);
    expect(new ProxyQuery("").names).toEqual([]);
  });
});
