/**
 * HTTP camera sources: what ESP32 boards and IP cameras already serve over HTTP, pulled as whole
 * JPEG pictures with timestamps.
 *
 * - A `multipart/x-mixed-replace` MJPEG stream (the ESP32 `CameraWebServer` at
 *   `http://cam:81/stream`, ESPHome's camera web server, OpenMV, `ffmpeg -f mpjpeg`): one
 *   long response, one JPEG per part. The part's `X-Timestamp` (ESP32) or `X-Timestamp-Us` gives
 *   its time; without one, the arrival time on the monotonic clock does.
 * - A still-JPEG URL (`http://cam/capture`, Home Assistant style) polled at `poll.fps`: one GET per
 *   picture, never two in flight; a tick that comes while a response is slow is skipped.
 *
 * @example A camera's MJPEG stream
 * ```ts ignore
 * import { pullHttp } from "./http_pull.ts";
 *
 * const session = await pullHttp({ url: "http://admin:secret@esp32cam:81/stream" }, {
 *   jpeg(frame, timestampUs) {
 *     console.log(`${frame.length} bytes at ${timestampUs} µs`);
 *   },
 *   closed(error) {
 *     if (error) console.error(error.message);
 *   },
 * });
 * await session.close();
 * ```
 *
 * @module
 */

import { after, type Clock, systemClock } from "../base/clock.ts";
import { type Logger, silentLogger } from "../base/log.ts";
import { HttpParseError } from "../http1/errors.ts";
import { boundaryCandidates, MultipartSplitter, sniffBoundary } from "../http1/multipart.ts";
import {
  type AuthState,
  type CameraUrl,
  type HttpBody,
  httpGet,
  HttpPullError,
  parseCameraUrl,
} from "./http_get.ts";

export { HttpPullError } from "./http_get.ts";

/** What to pull, and how. */
export interface HttpPullOptions {
  /** `http://` or `https://`, with `user:password@` when the camera wants them. */
  url: string;
  /** Hears of the source's life (open, closed). Default: silent. */
  logger?: Logger;
  /** Silence (no connection, no response, no bytes) after which the source fails, ms. Default 10 000. */
  timeoutMs?: number;
  /** Check https certificates. Default false: cameras use self-signed ones. */
  tlsVerify?: boolean;
  /** Set: poll a still-JPEG URL at `fps` pictures a second. Unset: the URL is a multipart stream. */
  poll?: { fps: number };
  /** Largest picture taken, bytes; a larger one ends the source. Default 8 MiB. */
  maxFrameBytes?: number;
  /** Clock and timers (tests inject a manual one). Default: the process's. */
  clock?: Clock;
}

/** Where the pictures go. */
export interface HttpPullSink {
  /**
   * One whole JPEG, and its time in microseconds. The bytes are a view that stays valid and
   * unchanged for as long as it is held.
   */
  jpeg(frame: Uint8Array, timestampUs: number): void;
  /**
   * The source ended, once: `undefined` when closed or when the camera ended the stream cleanly,
   * else an {@link HttpPullError} saying why.
   */
  closed(error: Error | undefined): void;
}

/** A running HTTP source. */
export interface HttpPullSession {
  /** Stops pulling; `closed(undefined)` is reported if nothing ended it before. */
  close(): Promise<void>;
}

const DEFAULT_MAX_FRAME = 8 * 1024 * 1024;

/**
 * Starts pulling `options.url` into `sink`. Resolves once the first response head is good (a
 * stream) or the first picture came (polling); after that, failures go to `sink.closed`.
 *
 * @throws {TypeError} for a URL that is not http(s) or bad options.
 * @throws {HttpPullError} when the camera cannot be reached or answers with something else than
 * pictures.
 */
export async function pullHttp(
  options: HttpPullOptions,
  sink: HttpPullSink,
): Promise<HttpPullSession> {
  const camera = parseCameraUrl(options.url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  }
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME;
  if (!Number.isSafeInteger(maxFrameBytes) || maxFrameBytes <= 0) {
    throw new RangeError(`maxFrameBytes must be a positive integer, got ${maxFrameBytes}`);
  }
  const fps = options.poll?.fps;
  if (fps !== undefined && !(Number.isFinite(fps) && fps > 0 && fps <= 120)) {
    throw new RangeError(`poll.fps must be above 0 and at most 120 pictures a second, got ${fps}`);
  }
  const run = new Run(camera, sink, {
    timeoutMs,
    tlsVerify: options.tlsVerify ?? false,
    clock: options.clock ?? systemClock,
    auth: {},
    logger: options.logger ?? silentLogger,
    maxFrameBytes,
  });
  if (fps === undefined) await run.stream();
  else await run.poll(fps);
  return { close: () => run.close() };
}

interface RunOptions {
  timeoutMs: number;
  tlsVerify: boolean;
  clock: Clock;
  auth: AuthState;
  logger: Logger;
  maxFrameBytes: number;
}

/** One source's life: its current response, and the single report of its end. */
class Run {
  readonly #camera: CameraUrl;
  readonly #sink: HttpPullSink;
  readonly #o: RunOptions;
  #body: HttpBody | undefined;
  #ended = false;
  #started = false; // pullHttp resolved: failures go to the sink from now on
  #cancelTick = () => {};

  constructor(camera: CameraUrl, sink: HttpPullSink, options: RunOptions) {
    this.#camera = camera;
    this.#sink = sink;
    this.#o = options;
  }

  #nowUs(): number {
    return Math.round(this.#o.clock.now() * 1000);
  }

  // The end, told once; before pullHttp resolved it is thrown instead, by the caller.
  #end(error: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#cancelTick();
    this.#body?.close();
    this.#body = undefined;
    this.#o.logger.log(error ? "warn" : "info", "HTTP camera source ended", {
      url: this.#camera.shown,
      error: error?.message,
    });
    if (this.#started) this.#sink.closed(error);
  }

  close(): Promise<void> {
    this.#started = true;
    this.#end(undefined);
    return Promise.resolve();
  }

  /** Opens the multipart stream; resolves when its head is good. */
  async stream(): Promise<void> {
    const body = await httpGet(this.#camera, this.#o);
    const shown = body.shown;
    const type = body.head.headers["content-type"] ?? "";
    const boundaries = boundaryCandidates(type);
    const media = type.split(";")[0].trim().toLowerCase();
    // Without a boundary in the Content-Type, the body's first line may give it (ffmpeg's HTTP
    // server sends mpjpeg as application/octet-stream); any other type is not a stream.
    const sniff = !boundaries &&
      (media === "" || media === "application/octet-stream" || media.startsWith("multipart/"));
    if (!boundaries && !sniff) {
      body.close();
      throw new HttpPullError(
        media === "image/jpeg" || media === "image/jpg"
          ? `${shown}: the camera sent a single picture (image/jpeg), not a stream; poll it at an fps`
          : `${shown}: not an MJPEG stream (Content-Type ${
            JSON.stringify(type.slice(0, 100))
          }; expected multipart/x-mixed-replace with a boundary)`,
      );
    }
    const max = this.#o.maxFrameBytes;
    let splitter = boundaries ? new MultipartSplitter(boundaries, max) : undefined;
    let start = new Uint8Array(0); // sniffing: the body so far
    this.#body = body;
    this.#started = true;
    this.#o.logger.log("info", "HTTP camera stream open", { url: shown });
    body.attach(
      (bytes) => {
        if (this.#ended) return;
        if (!splitter) {
          const more = new Uint8Array(start.length + bytes.length);
          more.set(start);
          more.set(bytes, start.length);
          start = more;
          const boundary = sniffBoundary(start);
          if (boundary === null) return;
          if (boundary === undefined) {
            return this.#end(
              new HttpPullError(
                `${shown}: not an MJPEG stream (Content-Type ${
                  type === "" ? "missing" : JSON.stringify(type.slice(0, 100))
                }, and the body does not start with a --boundary line)`,
              ),
            );
          }
          splitter = new MultipartSplitter(boundary, max);
          bytes = start;
        }
        let parts;
        try {
          parts = splitter.push(bytes);
        } catch (error) {
          return this.#end(partError(shown, error));
        }
        for (const part of parts) {
          if (this.#ended) return;
          const partType = part.headers["content-type"]?.split(";")[0].trim().toLowerCase();
          if (!isJpeg(part.body) && partType !== "image/jpeg" && partType !== "image/jpg") {
            return this.#end(
              new HttpPullError(
                `${shown}: a part is not a JPEG (Content-Type ${partType ?? "missing"})`,
              ),
            );
          }
          this.#sink.jpeg(part.body, part.timestampUs ?? this.#nowUs());
        }
      },
      () => {
        // A clean close at a part's end is the camera ending the stream; inside one it is a cut.
        this.#end(
          splitter !== undefined && splitter.bufferedBytes > 0 && !splitter.done
            ? new HttpPullError(`${shown}: the connection closed inside a picture`)
            : undefined,
        );
      },
      (error) => this.#end(error),
    );
  }

  /** Polls the still URL; resolves when the first picture came. */
  async poll(fps: number): Promise<void> {
    const interval = 1000 / fps;
    const clock = this.#o.clock;
    const first = await this.#still();
    this.#started = true;
    this.#o.logger.log("info", "HTTP camera polling", { url: this.#camera.shown, fps });
    this.#sink.jpeg(first.jpeg, first.timestampUs);
    let due = first.startedAt + interval;
    const tick = () => {
      if (this.#ended) return;
      const startedAt = clock.now();
      this.#still().then(({ jpeg, timestampUs }) => {
        if (this.#ended) return;
        this.#sink.jpeg(jpeg, timestampUs);
        // Never two in flight: a slow response skips the ticks it overran.
        const now = clock.now();
        due = Math.max(due + interval, startedAt + interval);
        if (due < now) due += Math.ceil((now - due) / interval) * interval;
        this.#schedule(due - now, tick);
      }, (error: Error) => this.#end(error));
    };
    this.#schedule(due - clock.now(), tick);
  }

  #schedule(ms: number, fn: () => void): void {
    if (this.#ended) return;
    this.#cancelTick = after(this.#o.clock, ms, fn);
  }

  // One GET of the still: its whole body, checked to be a JPEG.
  async #still(): Promise<{ jpeg: Uint8Array; timestampUs: number; startedAt: number }> {
    const startedAt = this.#o.clock.now();
    const body = await httpGet(this.#camera, this.#o);
    if (this.#ended) {
      body.close();
      throw new HttpPullError(`${body.shown}: closed`);
    }
    this.#body = body;
    const shown = body.shown;
    const type = (body.head.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    const max = this.#o.maxFrameBytes;
    if (body.head.contentLength !== undefined && body.head.contentLength > max) {
      body.close();
      throw new HttpPullError(
        `${shown}: a picture of ${body.head.contentLength} bytes is above the ${max}-byte cap`,
      );
    }
    const jpeg = await new Promise<Uint8Array>((resolve, reject) => {
      const pieces: Uint8Array[] = [];
      let length = 0;
      body.attach(
        (bytes) => {
          length += bytes.length;
          if (length > max) {
            body.close();
            reject(new HttpPullError(`${shown}: a picture is above the ${max}-byte cap`));
            return;
          }
          pieces.push(bytes.slice());
        },
        () => {
          const all = new Uint8Array(length);
          let at = 0;
          for (const piece of pieces) {
            all.set(piece, at);
            at += piece.length;
          }
          resolve(all);
        },
        reject,
      );
    });
    if (this.#body === body) this.#body = undefined;
    const timestampUs = this.#nowUs();
    // RFC 2046 names the type; a camera that sends a JPEG under another type is taken too.
    if (!isJpeg(jpeg) && !((type === "image/jpeg" || type === "image/jpg") && jpeg.length > 0)) {
      throw new HttpPullError(
        `${shown}: not a JPEG picture (Content-Type ${type === "" ? "missing" : type}, ` +
          `${jpeg.length} bytes${jpeg.length > 0 ? ` starting ${hex(jpeg.subarray(0, 4))}` : ""})`,
      );
    }
    return { jpeg, timestampUs, startedAt };
  }
}

/** A JPEG starts with SOI (FF D8). */
function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xd8;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

function partError(shown: string, error: unknown): Error {
  if (error instanceof HttpParseError) {
    return new HttpPullError(`${shown}: ${error.message}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
