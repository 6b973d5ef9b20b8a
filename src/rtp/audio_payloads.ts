/**
 * One place that picks the payload format of an audio codec: the depacketizer for what a publisher
 * or a camera sends (AAC as RFC 3640 or as LATM, Opus, G.711 and L16 samples) and the packetizer
 * for what readers get (RFC 3640 AAC-hbr with one access unit a packet, Opus, samples of at most
 * 20 ms). In between, every codec is a series of frames with RTP times, so the stream keeps and
 * replays audio the same way whatever it is.
 *
 * @module
 */

import type { AudioFormat } from "../codec/audio_format.ts";
import { aacFrameSamples, parseAudioSpecificConfig } from "../codec/aac_config.ts";
import { AacDepacketizer } from "./aac_depacketizer.ts";
import type { AacFmtp } from "./aac_fmtp.ts";
import { AacPacketizer } from "./aac_packetizer.ts";
import type { AudioPacketizerOptions } from "./audio_packet_writer.ts";
import type { AudioDepacketizer } from "./audio_unit.ts";
import type { LatmConfig } from "./latm_config.ts";
import { LatmDepacketizer } from "./latm_depacketizer.ts";
import { OpusDepacketizer } from "./opus_depacketizer.ts";
import { OpusPacketizer } from "./opus_packetizer.ts";
import { PcmDepacketizer } from "./pcm_depacketizer.ts";
import { PcmPacketizer } from "./pcm_packetizer.ts";
import type { PacketList } from "./packet_list.ts";

/** How an incoming audio track's packets carry its frames. */
export type AudioPayloadIn =
  /** RFC 3640 `mpeg4-generic`, with the AU-header layout its fmtp gives. */
  | { kind: "aac"; fmtp: AacFmtp }
  /** RFC 6416 `MP4A-LATM` with `cpresent=0`: re-served as `mpeg4-generic`. */
  | { kind: "latm"; config: LatmConfig }
  /** RFC 7587. */
  | { kind: "opus" }
  /** G.711 or L16 samples (RFC 3551 §4.5.14, §4.5.11). */
  | { kind: "pcm" };

/** The depacketizer for a track whose frames are `format`, carried as `payload`. */
export function audioDepacketizer(payload: AudioPayloadIn, format: AudioFormat): AudioDepacketizer {
  switch (payload.kind) {
    case "aac":
      return new AacDepacketizer({ fmtp: payload.fmtp, clockRate: format.clockRate });
    case "latm":
      return new LatmDepacketizer({ config: payload.config, clockRate: format.clockRate });
    case "opus":
      return new OpusDepacketizer();
    case "pcm":
      return new PcmDepacketizer({ format });
  }
}

/** Turns one frame at an RTP time into the packets that carry it. */
export interface AudioPacketizer {
  /** The packets of `frame` (an access unit, an Opus packet, sample bytes) at RTP time `rtp`. */
  packetize(frame: Uint8Array, rtp: number): PacketList;
  /** Sequence number the next packet gets. */
  readonly nextSequence: number;
}

/**
 * The packetizer readers get `format` from: AAC as one whole access unit a packet (MEDIA.md §1.2:
 * mediamtx mangles fragmented and oversized AAC packets, so none is made), Opus a packet a frame,
 * samples at most 20 ms a packet.
 */
export function audioPacketizer(
  format: AudioFormat,
  opts: AudioPacketizerOptions,
): AudioPacketizer {
  switch (format.codec) {
    case "aac": {
      // The only one whose packetize() takes something else (a list of access units): adapted.
      const frameSamples = aacFrameSamplesOf(format);
      const aac = new AacPacketizer({ ...opts, frameSamples, maxAggregateDuration: 0 });
      return {
        packetize: (frame, rtp) => aac.packetize([frame], rtp),
        get nextSequence() {
          return aac.nextSequence;
        },
      };
    }
    case "opus":
      return new OpusPacketizer(opts);
    default:
      return new PcmPacketizer({ ...opts, format });
  }
}

/** Samples of one AAC frame of `format`: what its AudioSpecificConfig says, else 1024. */
function aacFrameSamplesOf(format: AudioFormat): number {
  if (!format.config) return 1024;
  try {
    return aacFrameSamples(parseAudioSpecificConfig(format.config), format.clockRate);
  } catch {
    return 1024; // a config no decoder understands: the packets still say how long each frame is
  }
}
