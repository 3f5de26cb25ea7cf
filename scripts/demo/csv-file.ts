import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { parseCsv } from "../../app/lib/model/csv";

/** A gzipped CSV file as records keyed by its header. */
export function readCsvGz(file: string): Array<Record<string, string>> {
  const [header = [], ...rows] = parseLines(gunzipSync(readFileSync(file)).toString("utf8"));
  return rows
    .filter((row) => row.length === header.length)
    .map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ""])));
}

/**
 * Splits by line, and by comma where a line has no quotes: about ten times faster than the
 * general parser, which only the few quoted lines (titles with commas) need. No field in these
 * files spans lines.
 */
function parseLines(text: string): string[][] {
  return text
    .split("\n")
    .map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
    .filter((line) => line !== "")
    .map((line) => (line.includes('"') ? (parseCsv(line)[0] ?? []) : line.split(",")));
}

/** Writes records as an RFC 4180 CSV (quoted only where needed), gzipped. */
export function writeCsvGz(file: string, columns: readonly string[], records: Array<Record<string, string>>): void {
  const field = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const lines = [columns.join(","), ...records.map((r) => columns.map((c) => field(r[c] ?? "")).join(","))];
  writeFileSync(file, gzipSync(`${lines.join("\n")}\n`, { level: 9 }));
}
