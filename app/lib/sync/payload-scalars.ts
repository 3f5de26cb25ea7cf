/**
 * Scalars that both payload readers (webhook-payloads.ts, bulk-records.ts) share, checked so that
 * whatever passes them every write path can store. A value the database refuses is worse than
 * one zod refuses: zod dead-letters its own job, the database fails the whole batch of 500 on
 * every retry (ADR 014).
 */
import { z } from "zod";

type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * The string with each lone UTF-16 surrogate replaced by U+FFFD. JSON.parse makes one from a
 * "\ud800" escape; Prisma refuses such a string as a bound parameter, and SQLite's JSON
 * functions would store it as invalid UTF-8.
 */
export function wellFormed(value: string): string {
  const s = value as Es2024String;
  return s.isWellFormed() ? value : s.toWellFormed();
}

/** Any text we store. */
export const text = z.string().transform(wellFormed);

/** A plain decimal, as Shopify writes amounts ("19.99"); what CAST(… AS DECIMAL) accepts everywhere. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** An amount, sent as a string or a JSON number; kept as its decimal text. */
export const money = z
  .union([z.string(), z.number()])
  .transform(String)
  .refine((s) => DECIMAL.test(s), "must be a decimal amount like 19.99");
