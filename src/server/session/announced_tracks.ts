/**
 * Which announced media a publisher's SETUP names. URLs are compared by path and query only, so a
 * publisher may spell the host differently (`localhost`, an IP) in its SETUP than in its ANNOUNCE,
 * and credentials and trailing slashes do not matter.
 *
 * @module
 */

import { parseRtspUrl } from "../../rtsp/url.ts";

/** The track URLs of one announcement. */
export class AnnouncedTracks {
  readonly #base: string | undefined;
  readonly #tracks: (string | undefined)[];

  /** Tracks at `controls` (resolved URLs, one per `m=`) of an ANNOUNCE of `requestUrl`. */
  constructor(requestUrl: string, controls: readonly string[]) {
    this.#base = urlKey(requestUrl);
    this.#tracks = controls.map(urlKey);
  }

  /**
   * The index of the media `url` names, if any. A SETUP of the aggregate URL is taken as the single
   * media when there is only one.
   */
  find(url: string): number | undefined {
    const key = urlKey(url);
    if (key === undefined) return undefined;
    const index = this.#tracks.indexOf(key);
    if (index >= 0) return index;
    return key === this.#base && this.#tracks.length === 1 ? 0 : undefined;
  }
}

/** Path (without trailing slashes) and query of a URL, or undefined when it is not an RTSP URL. */
function urlKey(url: string): string | undefined {
  try {
    const parsed = parseRtspUrl(url);
    if ("star" in parsed) return undefined;
    const path = parsed.path.replace(/\/+$/, "");
    return parsed.query === "" ? path : `${path}?${parsed.query}`;
  } catch {
    return undefined;
  }
}
