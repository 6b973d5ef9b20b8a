/**
 * `--list-cameras`: every V4L2 capture device, its name, and the formats, sizes and frame rates it
 * offers, marking those rtsp-edge can capture.
 *
 * @module
 */

import { directoryNames } from "../runtime/files.ts";
import type { LibC } from "./libc.ts";
import { CAPTURE_FORMATS, fpsOf } from "./negotiate.ts";
import { fourccName, type FrameIntervals, type FrameSizes } from "./v4l2_abi.ts";
import { CameraError, type FormatOffer, V4l2Device } from "./v4l2_device.ts";

/** What one device node turned out to be. */
export type CameraEntry =
  | { path: string; card: string; driver: string; busInfo: string; formats: FormatOffer[] }
  | { path: string; error: string };

/** The /dev/video* nodes, in numeric order. */
export function videoDeviceNodes(dir = "/dev"): string[] {
  return directoryNames(dir).filter((n) => /^video\d+$/.test(n))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
    .map((n) => `${dir}/${n}`);
}

/** Opens each node and reads what it offers; nodes that are not capture devices are left out. */
export function listCameras(libc: LibC, nodes: readonly string[]): CameraEntry[] {
  const entries: CameraEntry[] = [];
  for (const path of nodes) {
    let device: V4l2Device | undefined;
    try {
      device = V4l2Device.open(libc, path);
      const { card, driver, busInfo } = device.capability;
      entries.push({ path, card, driver, busInfo, formats: device.formats() });
    } catch (error) {
      // Metadata and output nodes sit beside every UVC camera: not worth a line each.
      if (error instanceof CameraError && error.kind === "not-capture") continue;
      entries.push({ path, error: (error as Error).message });
    } finally {
      device?.close();
    }
  }
  return entries;
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function describeSize(size: FrameSizes): string {
  if (size.kind === "discrete") return `${size.width}x${size.height}`;
  return `${size.minWidth}x${size.minHeight} to ${size.maxWidth}x${size.maxHeight}` +
    (size.stepWidth > 1 || size.stepHeight > 1
      ? ` in steps of ${size.stepWidth}x${size.stepHeight}`
      : "");
}

function describeRates(intervals: readonly FrameIntervals[]): string {
  if (intervals.length === 0) return "rate not listed";
  const parts: string[] = [];
  const discrete = intervals.flatMap((i) => i.kind === "discrete" ? [fpsOf(i.interval)] : [])
    .filter((f) => f > 0).sort((a, b) => a - b);
  if (discrete.length) parts.push(`${[...new Set(discrete.map(round))].join(", ")} fps`);
  for (const i of intervals) {
    if (i.kind === "stepwise") {
      parts.push(`${round(fpsOf(i.max))} to ${round(fpsOf(i.min))} fps`);
    }
  }
  return parts.join(", ");
}

/** The text `--list-cameras` prints. */
export function formatCameraList(entries: readonly CameraEntry[]): string {
  if (entries.length === 0) return "no cameras found (no /dev/video* capture devices)\n";
  const lines: string[] = [];
  for (const entry of entries) {
    if ("error" in entry) {
      lines.push(`${entry.path}: ${entry.error}`);
      continue;
    }
    lines.push(`${entry.path}: ${entry.card} (${entry.driver}, ${entry.busInfo})`);
    const unusable: string[] = [];
    for (const format of entry.formats) {
      const known = CAPTURE_FORMATS.find((f) => f.pixelFormat === format.pixelFormat);
      if (!known) {
        unusable.push(fourccName(format.pixelFormat).trim());
        continue;
      }
      lines.push(`  ${known.name.padEnd(6)} ${format.description}`);
      for (const { size, intervals } of format.sizes) {
        lines.push(`    ${describeSize(size).padEnd(11)} ${describeRates(intervals)}`);
      }
    }
    if (unusable.length) lines.push(`  also offers (not supported): ${unusable.join(", ")}`);
  }
  return lines.join("\n") + "\n";
}
