/**
 * Money as integers of 1/10,000 of the currency unit: exact sums for every ISO currency (none has
 * more than four decimals) without floating-point drift, and plain numbers for pure code.
 */
const SCALE = 10_000;

export function toUnits(amount: string | number): number {
  const value = Math.round(Number(amount) * SCALE);
  if (!Number.isFinite(value)) throw new RangeError(`not an amount: ${String(amount)}`);
  return value;
}

/** Units back to a decimal string, as Prisma's Decimal columns take it. */
export function fromUnits(units: number): string {
  const sign = units < 0 ? "-" : "";
  const abs = Math.abs(units);
  const whole = Math.floor(abs / SCALE);
  const fraction = String(abs % SCALE).padStart(4, "0");
  return `${sign}${whole}.${fraction}`;
}

export function unitsToNumber(units: number): number {
  return units / SCALE;
}
