import assert from "node:assert/strict";
import { cidrContains, parseCidr, parseIp } from "../../src/auth/cidr.ts";

Deno.test("cidrContains() matches IPv4 blocks, also for IPv4-mapped IPv6 peers", () => {
  const lan = parseCidr("192.168.1.0/24")!;
  assert.ok(cidrContains(lan, "192.168.1.0"));
  assert.ok(cidrContains(lan, "192.168.1.255"));
  assert.ok(cidrContains(lan, "::ffff:192.168.1.9"));
  assert.ok(!cidrContains(lan, "192.168.2.1"));
  assert.ok(cidrContains(parseCidr("10.0.0.0/8")!, "10.200.3.4"));
  assert.ok(cidrContains(parseCidr("0.0.0.0/0")!, "8.8.8.8"));
  assert.ok(cidrContains(parseCidr("192.0.2.7")!, "192.0.2.7"));
  assert.ok(!cidrContains(parseCidr("192.0.2.7")!, "192.0.2.8"));
  assert.ok(cidrContains(parseCidr("172.16.0.0/12")!, "172.31.255.1"));
  assert.ok(!cidrContains(parseCidr("172.16.0.0/12")!, "172.32.0.1"));
});

Deno.test("cidrContains() matches IPv6 blocks", () => {
  assert.ok(cidrContains(parseCidr("::1/128")!, "::1"));
  assert.ok(!cidrContains(parseCidr("::1/128")!, "::2"));
  const ula = parseCidr("fd00::/8")!;
  assert.ok(cidrContains(ula, "fd12:3456::1"));
  assert.ok(!cidrContains(ula, "fe80::1"));
  assert.ok(cidrContains(parseCidr("2001:db8::/32")!, "2001:DB8:0:0:0:0:0:1"));
  assert.ok(cidrContains(parseCidr("fe80::/10")!, "fe80::1%eth0"));
});

Deno.test("parseIp() reads the IPv6 forms of RFC 4291 §2.2 and refuses malformed ones", () => {
  assert.deepEqual(parseIp("::ffff:1.2.3.4"), parseIp("1.2.3.4"));
  assert.deepEqual(parseIp("0:0:0:0:0:0:0:1"), parseIp("::1"));
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.256",
      "01.2.3.4",
      ":::",
      "1::2::3",
      "g::1",
      "1:2:3:4:5:6:7:8:9",
    ]
  ) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

Deno.test("parseCidr() refuses prefixes beyond the address size and junk", () => {
  for (const bad of ["1.2.3.4/33", "::/129", "1.2.3.4/", "1.2.3.4/x", "host/24", "::1/-1"]) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
  assert.equal(cidrContains(parseCidr("::/0")!, "not-an-ip"), false);
});
