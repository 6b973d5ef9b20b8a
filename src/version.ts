/**
 * The package version, kept equal to `deno.json` (a test checks).
 *
 * @module
 */

/** rtsp-edge's version. */
export const VERSION = "0.1.0";
