/**
 * RTP packets → AAC access units, RFC 3640 `mpeg4-generic` (AAC-hbr, AAC-lbr or any layout the fmtp
 * gives), for RECORD ingest and relays. Whole access units come out of the packet that carries
 * them; a fragmented one (§3.2.3) is reassembled up to `maxAccessUnitSize` and dropped if a
 * fragment is missing. Each unit's timestamp is the packet's plus its AU-Index distance from the
 * first unit times the frame duration (§3.2.1.1, §3.2.3).
 *
 * @module
 */

import { aacFrameSamples } from "../codec/aac_config.ts";
import type { AacFmtp } from "./aac_fmtp.ts";
import {
  AAC_HBR_LAYOUT,
  type AuHeaderLayout,
  type AuHeaderSection,
  readAuHeaderSection,
} from "./aac_au_headers.ts";
import type { AudioDepacketizer, AudioUnit } from "./audio_unit.ts";
import type { RtpPacket } from "./header.ts";
import { PacketOrder } from "./sequence.ts";
import { checkInteger } from "./check_integer.ts";

/** Options of {@link AacDepacketizer}. */
export interface AacDepacketizerOptions {
  /** The track's fmtp, from `parseAacFmtp`. */
  fmtp: AacFmtp;
  /** The RTP clock rate from the rtpmap, in Hz (1 to 2^31). */
  clockRate: number;
  /** Largest access unit reassembled from fragments, 1 to 2^20 bytes; default 8191. */
  maxAccessUnitSize?: number;
}

/** The layouts to try for a packet, first match wins (see {@link AacDepacketizer}). */
function layouts(fmtp: AacFmtp): AuHeaderLayout[] {
  const base: AuHeaderLayout = {
    ...AAC_HBR_LAYOUT,
    sizeLength: fmtp.sizeLength,
    indexLength: fmtp.indexLength ?? 0,
    indexDeltaLength: fmtp.indexDeltaLength ?? 0,
    ctsDeltaLength: fmtp.ctsDeltaLength,
    dtsDeltaLength: fmtp.dtsDeltaLength,
    randomAccessIndication: fmtp.randomAccessIndication,
    streamStateIndication: fmtp.streamStateIndication,
    auxiliaryDataSizeLength: fmtp.auxiliaryDataSizeLength,
  };
  if (fmtp.indexLength !== undefined || fmtp.indexDeltaLength !== undefined) return [base];
  // gortsplib PR #118: a camera announced sizelength=13 alone. Both readings are tried per packet:
  // no index fields (what the fmtp literally says), then the AAC-hbr widths (§3.3.6).
  return [base, { ...base, indexLength: 3, indexDeltaLength: 3 }];
}

/** What a packet holds, once its AU header section makes sense. */
type Content =
  | { kind: "units"; section: AuHeaderSection }
  | { kind: "fragment"; size: number; dataOffset: number };

/**
 * Reassembles AAC access units from the packets of one `mpeg4-generic` RTP stream. Never throws
 * for any packet.
 *
 * A packet is read with the AU header widths of the fmtp. When the fmtp leaves out `indexlength`
 * and `indexdeltalength`, both "no index fields" and the AAC-hbr widths are tried and the first
 * whose AU sizes add up to the payload is used. A packet whose bits add up under no layout is
 * dropped.
 *
 * Packets are not reordered: a late or duplicate one is dropped, and a gap in sequence numbers
 * drops the access unit being reassembled. The marker bit is not needed to end whole access units.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AacDepacketizer } from "./aac_depacketizer.ts";
 * import { parseAacFmtp } from "./aac_fmtp.ts";
 * import type { RtpPacket } from "./header.ts";
 *
 * const fmtp = parseAacFmtp("mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190");
 * if (fmtp instanceof Error) throw fmtp;
 * const depacketizer = new AacDepacketizer({ fmtp, clockRate: 48000 });
 * const packet: RtpPacket = {
 *   marker: true, payloadType: 97, sequenceNumber: 1, timestamp: 1000, ssrc: 1, csrc: [],
 *   paddingBytes: 0, payload: new Uint8Array([0x00, 0x20, 0x00, 0x10, 0x00, 0x08, 7, 7, 9]),
 * };
 * const units = depacketizer.push(packet);
 * assert.deepEqual(units.map((u) => [[...u.data], u.rtpTimestamp, u.samples]), [
 *   [[7, 7], 1000, 1024],
 *   [[9], 2024, 1024],
 * ]);
 * ```
 */
export class AacDepacketizer implements AudioDepacketizer {
  readonly #layouts: AuHeaderLayout[];
  readonly #frameSamples: number;
  readonly #maxAccessUnitSize: number;
  #order = new PacketOrder();
  #dropped = 0;
  #droppedUnits = 0;
  // The access unit being reassembled from fragments.
  #fragment: Uint8Array | undefined;
  #fragmentLength = 0;
  #fragmentTimestamp = 0;
  #fragmentPackets = 0;

  /** Checks the options; throws a `RangeError` naming the bad one. */
  constructor(opts: AacDepacketizerOptions) {
    const rate = checkInteger("clockRate", opts.clockRate, 1, 2 ** 31);
    const cap = checkInteger("maxAccessUnitSize", opts.maxAccessUnitSize ?? 8191, 1, 2 ** 20);
    this.#maxAccessUnitSize = cap;
    this.#layouts = layouts(opts.fmtp);
    this.#frameSamples = aacFrameSamples(opts.fmtp.audioSpecificConfig, rate);
  }

  /** Duration of one access unit in RTP clock ticks (1024 for AAC-LC at its own rate). */
  get frameSamples(): number {
    return this.#frameSamples;
  }

  /** Packets that went into no emitted access unit. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Access units lost: a fragment missing, too large, or inconsistent. */
  get droppedUnits(): number {
    return this.#droppedUnits;
  }

  /** Takes one RTP packet; returns the access units it completes. */
  push(packet: RtpPacket): AudioUnit[] {
    const arrival = this.#order.arrive(packet.sequenceNumber);
    if (arrival === "late") {
      this.#dropped++;
      return [];
    }
    // RFC 3550 §5.1: a gap means lost packets, perhaps fragments of the unit being reassembled.
    if (arrival === "gap") this.#dropFragment();
    const content = this.#read(packet.payload);
    if (content === undefined) {
      this.#dropFragment();
      this.#dropped++;
      return [];
    }
    if (content.kind === "fragment") {
      return this.#addFragment(packet, content.size, packet.payload.subarray(content.dataOffset));
    }
    this.#dropFragment();
    return this.#units(packet, content.section);
  }

  /** Ends the stream: an unfinished access unit is dropped, never emitted half. */
  flush(): AudioUnit[] {
    this.#dropFragment();
    this.#order.reset();
    return [];
  }

  /** Reads a payload with the first layout under which its bytes add up. */
  #read(payload: Uint8Array): Content | undefined {
    for (const layout of this.#layouts) {
      const section = readAuHeaderSection(payload, layout);
      if (section === undefined) continue;
      const data = payload.length - section.dataOffset;
      const total = section.headers.reduce((n, h) => n + h.size, 0);
      if (total === data) return { kind: "units", section };
      // §3.2.3: a fragment has exactly one AU header, whose size is the whole unit's.
      if (section.headers.length === 1 && total > data && data > 0) {
        return { kind: "fragment", size: total, dataOffset: section.dataOffset };
      }
    }
    return undefined;
  }

  #units(packet: RtpPacket, section: AuHeaderSection): AudioUnit[] {
    const out: AudioUnit[] = [];
    let at = section.dataOffset;
    let index = 0; // distance in AU-Index from the first unit (§3.2.1.1)
    section.headers.forEach((header, i) => {
      if (i > 0) index += 1 + header.index;
      if (header.size === 0) return;
      out.push({
        data: packet.payload.slice(at, at + header.size),
        rtpTimestamp: (packet.timestamp + index * this.#frameSamples) >>> 0,
        samples: this.#frameSamples,
      });
      at += header.size;
    });
    return out;
  }

  #addFragment(packet: RtpPacket, size: number, data: Uint8Array): AudioUnit[] {
    const open = this.#fragment;
    if (open && (open.length !== size || packet.timestamp !== this.#fragmentTimestamp)) {
      this.#dropFragment(); // §3.2.3: fragments of one unit share its timestamp and AU-size
    }
    if (this.#fragment === undefined) {
      if (size > this.#maxAccessUnitSize) {
        this.#dropped++;
        this.#droppedUnits++;
        return [];
      }
      this.#fragment = new Uint8Array(size);
      this.#fragmentLength = 0;
      this.#fragmentTimestamp = packet.timestamp;
      this.#fragmentPackets = 0;
    }
    const buffer = this.#fragment;
    this.#fragmentPackets++;
    if (this.#fragmentLength + data.length > size) {
      this.#dropFragment();
      return [];
    }
    buffer.set(data, this.#fragmentLength);
    this.#fragmentLength += data.length;
    if (this.#fragmentLength < size) {
      // The last fragment carries the marker (§3.2.3): with it, the unit is short of bytes.
      if (packet.marker) this.#dropFragment();
      return [];
    }
    this.#fragment = undefined;
    this.#fragmentPackets = 0;
    return [{ data: buffer, rtpTimestamp: this.#fragmentTimestamp, samples: this.#frameSamples }];
  }

  #dropFragment(): void {
    if (this.#fragment === undefined) return;
    this.#dropped += this.#fragmentPackets;
    this.#droppedUnits++;
    this.#fragment = undefined;
    this.#fragmentPackets = 0;
  }
}
