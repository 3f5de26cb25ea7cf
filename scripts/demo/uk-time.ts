/**
 * The data set's timestamps are the shop's local time in the UK, with no zone. Shopify sends
 * times with the shop's offset, so each one gets London's offset at that moment (GMT or BST).
 */
const london = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", timeZoneName: "longOffset" });

/** London's offset by local hour ("2011-06-01T10"); Intl is slow and the replay asks thousands of times. */
const offsets = new Map<string, string>();

export function ukTimeWithOffset(local: string): string {
  const hour = local.slice(0, 13);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const asUtc = new Date(`${hour}:00:00Z`);
    if (Number.isNaN(asUtc.getTime())) throw new Error(`not a local ISO timestamp: "${local}"`);
    // "GMT" in winter, "GMT+01:00" in summer. Read at the UTC reading of the local time, which is
    // off by the offset itself only in the hour around a clock change: good enough for shop history.
    const zone = london.formatToParts(asUtc).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    offset = zone === "GMT" ? "+00:00" : zone.slice(3);
    offsets.set(hour, offset);
  }
  return `${local.length === 16 ? `${local}:00` : local}${offset}`;
}
