/**
 * IP allow-lists: CIDR blocks of IPv4 and IPv6 (RFC 4632, RFC 4291 §2.3), matching IPv4-mapped
 * IPv6 peers (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2, what a dual-stack socket reports) as IPv4.
 * Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cidrContains, parseCidr } from "./cidr.ts";
 *
 * const lan = parseCidr("192.168.1.0/24")!;
 * assert.ok(cidrContains(lan, "192.168.1.7"));
 * assert.ok(cidrContains(lan, "::ffff:192.168.1.7"));
 * assert.ok(!cidrContains(lan, "10.0.0.1"));
 * assert.ok(cidrContains(parseCidr("::1/128")!, "::1"));
 * ```
 *
 * @module
 */

/** A parsed CIDR block: 16 address bytes (IPv4 mapped into IPv6) and a prefix of those 128 bits. */
export interface Cidr {
  /** The block as written. */
  text: string;
  /** Network address as 16 bytes. */
  bytes: Uint8Array;
  /** Prefix length over the 16 bytes (an IPv4 /24 is 120). */
  prefix: number;
}

function ipv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

/** An address (IPv4 dotted quad or IPv6, zone ignored) as 16 bytes; undefined when malformed. */
export function parseIp(text: string): Uint8Array | undefined {
  const v4 = ipv4(text);
  if (v4) return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]);
  let s = text.replace(/%.*$/, "");
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(s)) return undefined;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) { // RFC 4291 §2.2 form 3: x:x:x:x:x:x:d.d.d.d
    const quad = ipv4(s.slice(lastColon + 1));
    if (!quad) return undefined;
    tail = quad;
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const group = (g: string) => (g === "" ? [] : g.split(":"));
  const head = group(halves[0]);
  const rest = halves.length === 2 ? group(halves[1]) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [...head, ...Array(8 - total).fill("0"), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(words[i])) return undefined;
    const w = parseInt(words[i], 16);
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  }
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

/** Parses `a.b.c.d/n`, `x::y/n`, or a single address (a /32 or /128); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const v4 = ipv4(addr) !== undefined;
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return undefined;
    prefix = Number(p);
  }
  return { text, bytes, prefix: v4 ? prefix + 96 : prefix };
}

/** Whether the address `ip` lies in `cidr`; false for a malformed address. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const bytes = parseIp(ip);
  if (!bytes) return false;
  let bits = cidr.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (cidr.bytes[i] & mask)) return false;
  }
  return true;
}
