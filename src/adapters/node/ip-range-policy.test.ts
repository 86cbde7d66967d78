import { describe, expect, it } from "vitest";
import { DEFAULT_IP_RANGE_BLOCKLIST, ipRangePolicy } from "./ip-range-policy.js";

describe("IP range policy", () => {
  const policy = ipRangePolicy(DEFAULT_IP_RANGE_BLOCKLIST, []);

  it("blocks loopback, private, link-local, CGNAT, metadata and their IPv6 forms", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "100.64.0.1",
      "169.254.169.254",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fd00:ec2::254",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::7f00:1",
      "[::1]",
    ]) {
      expect(policy.isBlocked(address), address).toBe(true);
    }
  });

  it("lets public addresses through", () => {
    for (const address of ["1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(policy.isBlocked(address), address).toBe(false);
    }
  });

  it("exempts the allowlist and refuses what is not an address", () => {
    const allowing = ipRangePolicy(DEFAULT_IP_RANGE_BLOCKLIST, ["127.0.0.1/32"]);
    expect(allowing.isBlocked("127.0.0.1")).toBe(false);
    expect(allowing.isBlocked("127.0.0.2")).toBe(true);
    expect(allowing.isBlocked("not-an-ip")).toBe(true);
    expect(() => ipRangePolicy(["10.0.0.0/33"], [])).toThrow(/ip_range_blocklist/);
  });
});
