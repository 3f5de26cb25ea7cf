import { timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";

/**
 * Who may read /metrics. The figures say how busy each queue is and how often requests fail,
 * which is nobody's business outside the operator's network: by default the port listens on
 * loopback only; METRICS_ALLOW opens it to the listed networks, and METRICS_TOKEN adds a bearer
 * token on top. The check is pure, so the rules are tested without a socket.
 */
export interface MetricsAccessConfig {
  /** Networks besides loopback that may scrape (CIDR or single addresses); empty: loopback only. */
  allow: readonly string[];
  /** When set, every scrape must send `Authorization: Bearer <token>`. */
  token?: string;
}

export type MetricsAccess = "allowed" | "forbidden" | "unauthorized";

/** Parses one METRICS_ALLOW entry (`10.0.0.0/8`, `192.168.1.7`, `fd00::/8`), or says why not. */
export function parseNetwork(entry: string): { address: string; prefix: number; family: "ipv4" | "ipv6" } | string {
  const [address = "", prefixText, extra] = entry.trim().split("/");
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return `"${entry}" is not an address or a CIDR network`;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) return `"${entry}" has a prefix outside 0-${max}`;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** The address a scrape may come from: loopback always, and each allowed network. */
export function allowedNetworks(allow: readonly string[]): BlockList {
  const list = new BlockList();
  list.addSubnet("127.0.0.0", 8, "ipv4");
  list.addAddress("::1", "ipv6");
  for (const entry of allow) {
    const network = parseNetwork(entry);
    if (typeof network === "string") throw new Error(network);
    list.addSubnet(network.address, network.prefix, network.family);
  }
  return list;
}

/** The interface to listen on: loopback unless networks beyond it were allowed. */
export function metricsHost(config: MetricsAccessConfig): string {
  return config.allow.length > 0 ? "0.0.0.0" : "127.0.0.1";
}

/**
 * Decides one scrape: 403 for an address outside the allowed networks (checked first, so a
 * stranger learns nothing about the token), 401 for a missing or wrong token.
 */
export function createAccessCheck(config: MetricsAccessConfig) {
  const networks = allowedNetworks(config.allow);
  const expected = config.token ? Buffer.from(`Bearer ${config.token}`) : null;
  return (remoteAddress: string | undefined, authorization: string | undefined): MetricsAccess => {
    if (!remoteAddress || !fromAllowed(networks, remoteAddress)) return "forbidden";
    if (!expected) return "allowed";
    const given = Buffer.from(authorization ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected) ? "allowed" : "unauthorized";
  };
}

function fromAllowed(networks: BlockList, address: string): boolean {
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  const family = isIP(v4) === 4 ? "ipv4" : "ipv6";
  return networks.check(v4, family);
}
