/**
 * What an ingest request asks for, checked: which path, whether its token is right, which format
 * its frames are in. Pure: a request head and the path rules in, a plan or an {@link IngestError}
 * with the status to answer out.
 *
 * @module
 */

import { normalizePathName, PATH_NAME_RULE } from "../base/path_name.ts";
import { constantTimeEqual } from "../auth/digest.ts";
import { type IngestFormat, ingestFormatOf, parseContentType } from "./content_type.ts";
import { type AudioInput, audioInputOf } from "./audio_content_type.ts";
import type { ServedAudio } from "./audio_push.ts";
import { IngestError } from "./errors.ts";
import type { HttpRequestHead } from "./http_request.ts";

/** The rules of one ingest path. */
export interface IngestPathPolicy {
  /** Bearer token the device must present; undefined: none needed. */
  token?: string;
  /** How JPEG is served: encoded to H.264 (default), or as RTP/JPEG. */
  jpeg: "h264" | "rtp-jpeg";
  /** A new publisher takes the path from one that holds it (default: refused, 409). */
  replace: boolean;
  /** Encoder bitrate for JPEG and raw frames, bits per second. */
  bitrate: number;
  /** Encoder GOP length in frames. */
  gop: number;
  /** Largest frame (one JPEG, one raw picture, one access unit), bytes. */
  maxFrameBytes: number;
  /** What device PCM is served as: L16 (default), or encoded to G.711 µ-law or A-law. */
  audio?: ServedAudio;
}

/** A checked request. */
export interface IngestPlan {
  /** The RTSP path it publishes, e.g. `/cam1`. */
  path: string;
  /** Its rules. */
  policy: IngestPathPolicy;
  /** The frames' format. */
  format: IngestFormat;
  /** Whether this is a WebSocket upgrade. */
  websocket: boolean;
  /** `Content-Encoding` of raw frames, if compressed. */
  encoding?: "deflate" | "gzip";
  /** The request's `X-Timestamp-Us`, if any. */
  timestampUs?: number;
}

/** A checked audio push (`/ingest/<path>/audio` with an `audio/*` type). */
export interface AudioPlan {
  /** The RTSP path whose audio it is, e.g. `/cam1`. */
  path: string;
  /** The path's rules. */
  policy: IngestPathPolicy;
  /** What the body carries. */
  input: AudioInput;
  /** Whether this is a WebSocket upgrade. */
  websocket: boolean;
  /** The request's `X-Timestamp-Us` (device time of the first sample), if any. */
  timestampUs?: number;
}

/** The last segment of an audio push's target: `/ingest/<path>/audio`. */
export const AUDIO_SUFFIX = "/audio";

const PREFIX = "/ingest/";

/**
 * The path a request target names, for log lines, before (or whether or not) it is checked:
 * `/ingest/cam1` → `/cam1`, anything else as sent. Percent-escapes stay as they are.
 */
export function pathForLog(target: string): string {
  return target.startsWith(PREFIX) ? target.slice(PREFIX.length - 1) : target;
}

/** Parses `X-Timestamp-Us` (integer microseconds); undefined when absent. */
export function timestampHeader(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value.trim())) {
    throw new IngestError(400, `X-Timestamp-Us must be whole microseconds, got "${value}"`);
  }
  return Number(value.trim());
}

/**
 * Checks a request head against the path rules. `policyFor` returns undefined for a path that
 * may not be published (404).
 */
export function planIngest(
  head: HttpRequestHead,
  policyFor: (path: string) => IngestPathPolicy | undefined,
): IngestPlan {
  const plan = planPush(head, policyFor);
  if ("input" in plan) {
    throw new IngestError(415, `audio for ${plan.path} is read by planPush, not here`);
  }
  return plan;
}

/**
 * Checks a request head: a video push ({@link IngestPlan}), or an audio push ({@link AudioPlan})
 * when the target ends in `/audio` and the type is `audio/*`. The type decides, so a video path
 * whose name ends in `audio` can still be pushed. Audio has a request of its own, not a part of the
 * video's body: a refusal of bad audio (an HTTP status ends its request) then costs the video
 * nothing, and a microphone task on a device pushes without waiting for its camera task.
 */
export function planPush(
  head: HttpRequestHead,
  policyFor: (path: string) => IngestPathPolicy | undefined,
): IngestPlan | AudioPlan {
  const websocket = head.upgrade?.toLowerCase() === "websocket";
  // PUT too: `curl -T file` uploads with it, and a frame is as much a PUT as a POST here.
  if (websocket ? head.method !== "GET" : head.method !== "POST" && head.method !== "PUT") {
    throw new IngestError(405, `use POST or PUT (or a WebSocket GET) on ${PREFIX}<path>`);
  }
  if (!head.path.startsWith(PREFIX)) {
    throw new IngestError(404, `ingest paths look like ${PREFIX}<path>, got ${head.path}`);
  }
  const contentType = (websocket ? head.query["type"] : undefined) ?? head.headers["content-type"];
  const audio = contentType !== undefined && isAudioType(contentType);
  let target = head.path;
  if (audio) {
    if (!target.endsWith(AUDIO_SUFFIX)) {
      throw new IngestError(
        415,
        `audio goes to ${target}${AUDIO_SUFFIX}, beside the path's video at ${target}`,
      );
    }
    target = target.slice(0, -AUDIO_SUFFIX.length);
  }
  let rest: string;
  try {
    rest = decodeURIComponent(target.slice(PREFIX.length));
  } catch {
    throw new IngestError(400, "the path is not valid percent-encoding");
  }
  const path = normalizePathName(rest);
  if (path === undefined || rest.startsWith("/")) {
    throw new IngestError(404, `"${rest}" is not a path name (${PATH_NAME_RULE})`);
  }
  const policy = policyFor(path);
  if (!policy) throw new IngestError(404, `${path} is not an ingest path`);
  if (policy.token !== undefined) {
    const auth = head.headers["authorization"] ?? "";
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] ?? (websocket ? head.query["token"] : "");
    if (!bearer || !constantTimeEqual(bearer, policy.token)) {
      throw new IngestError(401, "a valid token is needed: Authorization: Bearer <token>");
    }
  }
  if (!contentType) {
    throw new IngestError(
      415,
      websocket ? "say the frames' type: ?type=<content type>" : "Content-Type is missing",
    );
  }
  if (audio) {
    const read = audioInputOf(contentType);
    if (!read.ok) throw new IngestError(read.status, read.error);
    const encoding = head.headers["content-encoding"]?.trim().toLowerCase();
    if (encoding && encoding !== "identity") {
      throw new IngestError(415, "audio bodies are sent uncompressed (no Content-Encoding)");
    }
    const plan: AudioPlan = { path, policy, input: read.input, websocket };
    const ts = timestampHeader(head.headers["x-timestamp-us"]);
    if (ts !== undefined) plan.timestampUs = ts;
    return plan;
  }
  const format = ingestFormatOf(contentType);
  const plan: IngestPlan = { path, policy, format, websocket };
  const encoding = head.headers["content-encoding"]?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    if (format.kind !== "raw" || (encoding !== "deflate" && encoding !== "gzip")) {
      throw new IngestError(415, `Content-Encoding ${encoding} is not supported here`);
    }
    plan.encoding = encoding;
  }
  const ts = timestampHeader(head.headers["x-timestamp-us"]);
  if (ts !== undefined) plan.timestampUs = ts;
  return plan;
}

/** Whether a content type names audio (`audio/…`); a malformed one is left to the video parser. */
function isAudioType(contentType: string): boolean {
  try {
    return parseContentType(contentType).type === "audio";
  } catch {
    return false;
  }
}
