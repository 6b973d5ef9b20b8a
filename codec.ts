/**
 * Bitstream helpers with no I/O: Annex B start codes, access units, Y4M.
 *
 * @example Split an H.264 elementary stream into access units
 * ```ts
 * import { splitAccessUnits } from "@x/rtsp/codec";
 *
 * const units = splitAccessUnits(new Uint8Array([0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x65, 0x88]));
 * console.log(units.length);
 * ```
 *
 * @module
 */

export { splitAnnexB } from "./src/codec/annexb.ts";
export { splitAccessUnits } from "./src/codec/access_unit.ts";
export type { AccessUnit } from "./src/codec/access_unit.ts";
export { Y4mParser } from "./src/codec/y4m.ts";
export type { Y4mHeader } from "./src/codec/y4m.ts";
