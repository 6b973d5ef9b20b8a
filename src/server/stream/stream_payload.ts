/**
 * What differs between a stream's codecs: how a frame is checked and packetized, what makes a
 * keyframe, what the SDP says, and when DESCRIBE has what it needs. {@link Stream} holds one of
 * these and does the rest (timing, fast start, readers) the same way for every codec.
 *
 * @module
 */

import { splitAnnexB } from "../../codec/annexb.ts";
import { NalType, nalType } from "../../codec/h264.ts";
import { parseSps, type SpsInfo } from "../../codec/sps.ts";
import { H264Packetizer } from "../../rtp/h264_packetizer.ts";
import {
  JPEG_PAYLOAD_TYPE,
  JpegPacketizer,
  JpegRtpError,
  MIN_JPEG_PAYLOAD_SIZE,
  prepareRtpJpeg,
  type RtpJpeg,
} from "../../rtp/jpeg_packetizer.ts";
import type { PacketList } from "../../rtp/packet_list.ts";
import { h264Fmtp } from "../../sdp/h264_fmtp.ts";
import type { SdpMediaDescription } from "../../sdp/build.ts";

/** The codecs a stream can carry. */
export type StreamCodec = "h264" | "jpeg";

/** RTP payload type used for H.264 (dynamic range, RFC 3551 §6). */
export const H264_PAYLOAD_TYPE = 96;

/** A frame as `sendFrame` takes it: Annex B bytes or NAL units (H.264), one whole JPEG. */
export type FrameInput = Uint8Array | readonly Uint8Array[];

/** A frame the payload format takes: whether it is a keyframe, and how to packetize it. */
export interface AcceptedFrame {
  /** Accepted. */
  ok: true;
  /** Whether a decoder can start here. */
  keyframe: boolean;
  /** Packetizes the frame at `rtpTimestamp`; call once. */
  packetize(rtpTimestamp: number): PacketList;
}

/** A frame the payload format refuses, and why. */
export interface RefusedFrame {
  /** Refused. */
  ok: false;
  /** Bytes of the frame. */
  bytes: number;
  /** Why, for the log. */
  reason: string;
  /**
   * True when the frame is fine but the format cannot carry it (log that once per stream);
   * false for a bad frame (empty, too large), logged each time.
   */
  uncarriable: boolean;
}

/** Picture size and rate, as far as the frames say. */
export interface PayloadVideoInfo {
  /** Width in pixels. */
  width?: number;
  /** Height in pixels. */
  height?: number;
  /** Frames per second, when the bitstream says (H.264 VUI timing). */
  frameRate?: number;
}

/** One codec's part of a stream. */
export interface StreamPayload {
  /** The codec. */
  readonly codec: StreamCodec;
  /** Sequence number of the next packet. */
  readonly nextSequence: number;
  /** Whether DESCRIBE has what it needs: SPS and PPS (H.264), one picture's size (JPEG). */
  readonly ready: boolean;
  /** Whether asking the source for a keyframe can help a new reader (not when all frames are). */
  readonly keyframesOnRequest: boolean;
  /** The latest SPS and PPS (H.264 only). */
  readonly parameterSets: { sps: Uint8Array; pps: Uint8Array } | undefined;
  /** Size and rate from the bitstream. */
  readonly videoInfo: PayloadVideoInfo;
  /** Checks one frame; may update the parameter sets or size (then calls `onChange`). */
  accept(frame: FrameInput, maxFrameSize: number): AcceptedFrame | RefusedFrame;
  /** The codec's part of the SDP media section. */
  sdp(): Pick<SdpMediaDescription, "payloadType" | "encoding" | "fmtp">;
}

/** What a payload takes from its stream. */
export interface StreamPayloadContext {
  /** SSRC of the stream. */
  ssrc: number;
  /** First sequence number. */
  initialSequence: number;
  /** RTP payload limit, bytes. */
  maxPayloadSize: number;
  /** Called when what the SDP says changed (new parameter sets, new picture size). */
  onChange(): void;
  /** Logs a warning about the stream. */
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** The payload format of `codec`. */
export function createStreamPayload(
  codec: StreamCodec,
  context: StreamPayloadContext,
): StreamPayload {
  return codec === "jpeg" ? new JpegPayload(context) : new H264Payload(context);
}

function refusal(bytes: number, reason: string, uncarriable = false): RefusedFrame {
  return { ok: false, bytes, reason, uncarriable };
}

/** H.264 (RFC 6184): SPS/PPS tracked and repeated before every IDR. */
class H264Payload implements StreamPayload {
  readonly codec = "h264";
  readonly keyframesOnRequest = true;
  #context: StreamPayloadContext;
  #packetizer: H264Packetizer;
  #sps: Uint8Array | undefined;
  #pps: Uint8Array | undefined;
  #spsInfo: SpsInfo | undefined;

  constructor(context: StreamPayloadContext) {
    this.#context = context;
    this.#packetizer = new H264Packetizer({
      payloadType: H264_PAYLOAD_TYPE,
      ssrc: context.ssrc,
      initialSequence: context.initialSequence,
      maxPayloadSize: context.maxPayloadSize,
    });
  }

  get nextSequence(): number {
    return this.#packetizer.nextSequence;
  }

  get ready(): boolean {
    return this.parameterSets !== undefined;
  }

  get parameterSets(): { sps: Uint8Array; pps: Uint8Array } | undefined {
    return this.#sps && this.#pps ? { sps: this.#sps, pps: this.#pps } : undefined;
  }

  get videoInfo(): PayloadVideoInfo {
    const info = this.#spsInfo;
    return { width: info?.width, height: info?.height, frameRate: info?.frameRate };
  }

  accept(frame: FrameInput, maxFrameSize: number): AcceptedFrame | RefusedFrame {
    const nals = frame instanceof Uint8Array ? splitAnnexB(frame) : frame;
    let size = 0;
    let keyframe = false;
    let hasSps = false;
    let hasPps = false;
    for (const nal of nals) {
      size += nal.length;
      const type = nal.length > 0 ? nalType(nal) : 0;
      if (type === NalType.IDR) keyframe = true;
      else if (type === NalType.SPS) hasSps = this.#takeSps(nal);
      else if (type === NalType.PPS) hasPps = this.#takePps(nal);
    }
    if (size === 0) return refusal(0, "empty");
    if (size > maxFrameSize) return refusal(size, "above maxFrameSize");
    let out = nals;
    // INTEROP.md: repeat SPS and PPS in-band before every IDR, so a decoder can start at any one.
    if (keyframe && (!hasSps || !hasPps) && this.#sps && this.#pps) {
      out = [
        ...(hasSps ? [] : [this.#sps]),
        ...(hasPps ? [] : [this.#pps]),
        ...nals,
      ];
    }
    return { ok: true, keyframe, packetize: (ts) => this.#packetizer.packetize(out, ts) };
  }

  sdp(): Pick<SdpMediaDescription, "payloadType" | "encoding" | "fmtp"> {
    const sets = this.parameterSets;
    return {
      payloadType: H264_PAYLOAD_TYPE,
      encoding: "H264",
      fmtp: sets ? h264Fmtp(sets.sps, sets.pps) : "packetization-mode=1",
    };
  }

  #takeSps(nal: Uint8Array): boolean {
    if (this.#sps && equalBytes(this.#sps, nal)) return true;
    try {
      this.#spsInfo = parseSps(nal);
    } catch {
      this.#context.warn("unreadable SPS; size unknown");
    }
    this.#sps = nal.slice();
    this.#context.onChange();
    return true;
  }

  #takePps(nal: Uint8Array): boolean {
    if (this.#pps && equalBytes(this.#pps, nal)) return true;
    this.#pps = nal.slice();
    this.#context.onChange();
    return true;
  }
}

/** RTP/JPEG (RFC 2435): every picture is a keyframe; the SDP takes the size of the latest one. */
class JpegPayload implements StreamPayload {
  readonly codec = "jpeg";
  readonly keyframesOnRequest = false;
  readonly parameterSets = undefined;
  #context: StreamPayloadContext;
  #packetizer: JpegPacketizer;
  #width: number | undefined;
  #height: number | undefined;

  constructor(context: StreamPayloadContext) {
    this.#context = context;
    this.#packetizer = new JpegPacketizer({
      ssrc: context.ssrc,
      initialSequence: context.initialSequence,
      // RFC 2435 §3.1.8: the first packet of a picture holds 132 bytes of quantization tables, so a
      // payload limit below that (the server allows 100) is raised for JPEG streams.
      maxPayloadSize: Math.max(context.maxPayloadSize, MIN_JPEG_PAYLOAD_SIZE),
    });
  }

  get nextSequence(): number {
    return this.#packetizer.nextSequence;
  }

  get ready(): boolean {
    return this.#width !== undefined;
  }

  get videoInfo(): PayloadVideoInfo {
    return { width: this.#width, height: this.#height };
  }

  accept(frame: FrameInput, maxFrameSize: number): AcceptedFrame | RefusedFrame {
    if (!(frame instanceof Uint8Array)) {
      const bytes = frame.reduce((n, part) => n + part.length, 0);
      return refusal(bytes, "a JPEG stream takes one whole JPEG in one Uint8Array", true);
    }
    if (frame.length === 0) return refusal(0, "empty");
    if (frame.length > maxFrameSize) return refusal(frame.length, "above maxFrameSize");
    let jpeg: RtpJpeg;
    try {
      jpeg = prepareRtpJpeg(frame);
    } catch (error) {
      if (!(error instanceof JpegRtpError)) throw error;
      return refusal(frame.length, error.message, true);
    }
    if (jpeg.width !== this.#width || jpeg.height !== this.#height) {
      this.#width = jpeg.width;
      this.#height = jpeg.height;
      this.#context.onChange();
    }
    return { ok: true, keyframe: true, packetize: (ts) => this.#packetizer.packetize(jpeg, ts) };
  }

  sdp(): Pick<SdpMediaDescription, "payloadType" | "encoding" | "fmtp"> {
    // RFC 2435 §3 with RFC 3551 §6: static payload type 26, no fmtp. The exact size still goes in
    // a=framesize / a=x-dimensions: the RTP header only has it rounded up to 8 pixels.
    return { payloadType: JPEG_PAYLOAD_TYPE, encoding: "JPEG" };
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
