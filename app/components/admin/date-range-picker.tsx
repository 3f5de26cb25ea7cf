import { useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { BlockStack, Button, DatePicker, InlineStack, Popover, Select, Text } from "@shopify/polaris";
import { CalendarIcon } from "@shopify/polaris-icons";
import type { DateRange } from "../../lib/admin/date-range";
import { formatDay } from "../../lib/admin/format";

const OPTIONS = [
  { label: "Last 7 days", value: "7d" },
  { label: "Last 30 days", value: "30d" },
  { label: "Last 90 days", value: "90d" },
  { label: "Custom range", value: "custom" },
];

// Polaris's DatePicker works in the browser's local time; the range's days are calendar days.
const localDate = (day: string) => {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
};
const pad = (n: number) => String(n).padStart(2, "0");
const calendarDay = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/**
 * The dashboard's date range: presets in a select, or any range in a Polaris date picker. The
 * choice lives in the URL (?range=30d or ?range=custom&from=…&to=…), so it survives a reload and
 * the loader reads it.
 */
export function DateRangePicker({ range }: { range: DateRange }) {
  const [, setSearchParams] = useSearchParams();
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState({ start: localDate(range.from), end: localDate(range.to) });
  const [month, setMonth] = useState({
    month: localDate(range.to).getMonth(),
    year: localDate(range.to).getFullYear(),
  });

  const choose = (value: string) => {
    if (value === "custom") return setOpen(true);
    setSearchParams({ range: value }, { preventScrollReset: true });
  };
  const apply = () => {
    setOpen(false);
    setSearchParams(
      { range: "custom", from: calendarDay(selected.start), to: calendarDay(selected.end) },
      { preventScrollReset: true },
    );
  };

  return (
    <InlineStack gap="200" blockAlign="center">
      <Select label="Date range" labelHidden options={OPTIONS} value={range.preset} onChange={choose} />
      <Popover
        active={open}
        onClose={() => setOpen(false)}
        activator={
          <Button icon={CalendarIcon} onClick={() => setOpen((o) => !o)} accessibilityLabel="Pick dates">
            {`${formatDay(range.from, "short")} – ${formatDay(range.to, "short")}`}
          </Button>
        }
        preferredAlignment="right"
      >
        <Popover.Pane fixed>
          <div style={{ padding: "16px", width: "320px" }}>
            <BlockStack gap="300">
              <DatePicker
                month={month.month}
                year={month.year}
                onMonthChange={(m, y) => setMonth({ month: m, year: y })}
                selected={selected}
                onChange={setSelected}
                allowRange
                disableDatesAfter={new Date()}
              />
              <InlineStack align="space-between" blockAlign="center">
                <Text as="span" variant="bodySm" tone="subdued">
                  Days are counted in UTC.
                </Text>
                <Button variant="primary" onClick={apply}>
                  Apply
                </Button>
              </InlineStack>
            </BlockStack>
          </div>
        </Popover.Pane>
      </Popover>
    </InlineStack>
  );
}
