/** What a person sees of one resource's import: a bar while Shopify counts, then while we import. */
export interface BackfillRow {
  resource: string;
  status: string;
  objectCount: number;
  recordsImported: number;
  error: string | null;
}

const WIDTH = 30;

/**
 * A one-line progress bar. While Shopify's bulk operation runs, only its object count is known
 * (no total), so the bar fills once the import starts; the count is shown throughout.
 */
export function formatBackfillLine(row: BackfillRow): string {
  const total = Math.max(row.objectCount, row.recordsImported);
  const done = row.status === "completed" ? total : row.recordsImported;
  const fraction = total === 0 ? (row.status === "completed" ? 1 : 0) : Math.min(1, done / total);
  const filled = Math.round(fraction * WIDTH);
  const bar = `[${"#".repeat(filled)}${".".repeat(WIDTH - filled)}]`;
  const detail =
    row.status === "failed"
      ? `failed: ${row.error ?? "unknown error"}`
      : row.status === "running"
        ? `Shopify is exporting (${row.objectCount} objects so far)`
        : `${row.recordsImported}/${total} imported`;
  return `${row.resource.padEnd(9)} ${bar} ${String(Math.round(fraction * 100)).padStart(3)}%  ${row.status.padEnd(9)} ${detail}`;
}
