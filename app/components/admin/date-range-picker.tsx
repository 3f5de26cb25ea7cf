import { useSearchParams } from "@remix-run/react";
import { useState } from "react";
import { BlockStack, Box, Button, DatePicker, InlineStack, OptionList, Popover, Text } from "@shopify/polaris";
import { CalendarIcon } from "@shopify/polaris-icons";
import type { DateRange } from "../../lib/admin/date-range";
import { formatDay } from "../../lib/admin/format";

const PRESETS = [
  { label: "Last 7 days", value: "7d" },
  { label: "Last 30 days", value: "30d" },
  { label: "Last 90 days", value: "90d" },
];

// Polaris's DatePicker works in the browser's local time; the range's days are calendar days.
const localDate = (day: string) => {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d);
};
const pad = (n: number) => String(n).padStart(2, "0");
const calendarDay = (date: Date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

/**
 * The dashboard's date range, as Shopify's own analytics offer it: one button, a popover with
 * presets beside a calendar. The choice lives in the URL (?range=30d, or ?range=custom&from=…&to=…),
 * so it survives a reload and the loader reads it.
 */
export function DateRangePicker({ range }: { range: DateRange }) {
  const [, setSearchParams] = useSearchParams();
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState({ start: localDate(range.from), end: localDate(range.to) });
  const [month, setMonth] = useState({
    month: localDate(range.to).getMonth(),
    year: localDate(range.to).getFullYear(),
  });

  const dates = `${formatDay(range.from, "short")} – ${formatDay(range.to, "short")}`;
  const preset = PRESETS.find((p) => p.value === range.preset);
  const go = (params: Record<string, string>) => {
    setOpen(false);
    setSearchParams(params, { preventScrollReset: true });
  };

  return (
    <Popover
      active={open}
      onClose={() => setOpen(false)}
      preferredAlignment="right"
      // Presets and calendar side by side are wider than a popover's 400 px default, which clips
      // the calendar's last column and the Apply button.
      fluidContent
      activator={
        <Button icon={CalendarIcon} disclosure onClick={() => setOpen((o) => !o)}>
          {preset ? `${preset.label} · ${dates}` : dates}
        </Button>
      }
    >
      <Popover.Pane fixed>
        {/* On a phone the calendar goes under the presets. */}
        <InlineStack blockAlign="start">
          <Box minWidth="160px" borderInlineEndWidth="025" borderColor="border-secondary">
            <OptionList
              options={PRESETS}
              selected={preset ? [preset.value] : []}
              onChange={([value]) => value && go({ range: value })}
            />
          </Box>
          <Box padding="400" width="300px">
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
                <Button
                  variant="primary"
                  onClick={() =>
                    go({ range: "custom", from: calendarDay(selected.start), to: calendarDay(selected.end) })
                  }
                >
                  Apply
                </Button>
              </InlineStack>
            </BlockStack>
          </Box>
        </InlineStack>
      </Popover.Pane>
    </Popover>
  );
}
