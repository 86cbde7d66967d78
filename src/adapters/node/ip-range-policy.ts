/**
 * Which addresses outbound HTTP may reach: `ip_range_blocklist` minus `ip_range_allowlist`. The
 * default blocklist covers loopback, private, link-local (incl. cloud metadata 169.254.169.254),
 * CGNAT, multicast, reserved and documentation ranges and their IPv6 equivalents, as Synapse's
 * does. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are checked as the IPv4 address they are.
 */
import { BlockList, isIP } from "node:net";

export const DEFAULT_IP_RANGE_BLOCKLIST = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "255.255.255.255/32",
  "::/128",
  "::1/128",
  "64:ff9b::/96",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "2002::/16",
  "fc00::/7",
  "fe80::/10",
  "fec0::/10",
  "ff00::/8",
];

export interface IpRangePolicy {
  /** True when outbound requests must not connect to `address`. */
  isBlocked(address: string): boolean;
}

function parseRanges(ranges: string[], setting: string): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address, prefix] = range.split("/") as [string, string | undefined];
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      throw new Error(`${setting}: "${range}" is not an IP address or CIDR range`);
    }
    list.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address, else the address itself. */
function unmap(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const hi = Number.parseInt(hex[1]!, 16);
    const lo = Number.parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return address;
}

export function ipRangePolicy(blocklist: string[], allowlist: string[]): IpRangePolicy {
  const blocked = parseRanges(blocklist, "ip_range_blocklist");
  const allowed = parseRanges(allowlist, "ip_range_allowlist");
  return {
    isBlocked(raw) {
      const address = unmap(raw.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
      const family = isIP(address);
      if (family === 0) return true;
      const type = family === 6 ? "ipv6" : "ipv4";
      if (allowed.check(address, type)) return false;
      return blocked.check(address, type);
    },
  };
}
