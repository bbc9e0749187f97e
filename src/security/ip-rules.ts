/**
 * Lists of client addresses: single IPs, CIDR ranges (`10.0.0.0/8`, `fd00::/8`) and IPv4
 * wildcards (`192.168.*.*`, `192.168.*`). Matching goes through node:net's BlockList, which also
 * matches IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) against IPv4 rules.
 */
import { BlockList, isIP } from "node:net";

export interface IpRules {
  matches(ip: string): boolean;
}

/** Why the pattern is not an address, range or wildcard, or undefined when it is one. */
export function ipPatternError(pattern: string): string | undefined {
  return toSubnet(pattern) ? undefined : `'${pattern}' is not an IP address, CIDR range or IPv4 wildcard`;
}

/** The patterns as one matcher; invalid patterns must have been refused with ipPatternError first. */
export function ipRules(patterns: readonly string[]): IpRules {
  const list = new BlockList();
  for (const pattern of patterns) {
    const subnet = toSubnet(pattern);
    if (subnet) list.addSubnet(subnet.address, subnet.prefix, subnet.family);
  }
  return {
    matches(ip) {
      const family = isIP(ip);
      return family !== 0 && list.check(ip, family === 6 ? "ipv6" : "ipv4");
    },
  };
}

interface Subnet {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

function toSubnet(raw: string): Subnet | undefined {
  const pattern = raw.trim();
  if (pattern.includes("*")) return wildcardSubnet(pattern);
  const [address = "", prefixText] = pattern.split("/", 2);
  const family = isIP(address);
  if (family === 0) return undefined;
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits || (prefixText ?? "0").trim() === "")
    return undefined;
  return { address, prefix, family: family === 4 ? "ipv4" : "ipv6" };
}

/** `192.168.*.*` or `192.168.*`: whole leading octets, then only wildcards. */
function wildcardSubnet(pattern: string): Subnet | undefined {
  const octets = pattern.split(".");
  const fixed = octets.indexOf("*");
  if (octets.length > 4 || fixed === -1 || octets.slice(fixed).some((octet) => octet !== "*"))
    return undefined;
  const leading = octets.slice(0, fixed);
  if (leading.some((octet) => !/^\d{1,3}$/.test(octet) || Number(octet) > 255)) return undefined;
  const address = [...leading, ...Array(4 - leading.length).fill("0")].join(".");
  return { address, prefix: leading.length * 8, family: "ipv4" };
}
