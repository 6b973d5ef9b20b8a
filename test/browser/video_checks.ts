/**
 * What the browser tests check of a `<video>` in a page: that it plays live (frames keep coming,
 * the playhead near the newest frame) and that it shows the test pattern's colour bars. Page code
 * is written as strings: the tests are type-checked without the DOM library.
 */

import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { evaluate, waitFor } from "./chromium.ts";

// The pattern's 75 % bars in RGB (BT.601): white, yellow, cyan, green, magenta, red, blue.
const BARS_RGB = [
  [191, 191, 191],
  [191, 191, 0],
  [0, 191, 191],
  [0, 191, 0],
  [191, 0, 191],
  [191, 0, 0],
  [0, 0, 191],
];
const TOLERANCE = 40;

/** Frames the video at `selector` has shown so far. */
export async function framesShown(page: Page, selector = "video"): Promise<number> {
  return await evaluate<number>(
    page,
    `document.querySelector(${
      JSON.stringify(selector)
    }).getVideoPlaybackQuality().totalVideoFrames`,
  );
}

/** Waits until the video has shown frames, keeps showing more, and plays near the live edge. */
export async function assertPlays(page: Page, selector = "video"): Promise<void> {
  const first = await waitFor(`the first frames of ${selector}`, async () => {
    const n = await framesShown(page, selector);
    return n >= 5 ? n : 0;
  });
  await waitFor(
    `more frames of ${selector}`,
    async () => (await framesShown(page, selector)) >= first + 20,
  );
  // Live: the playhead is within half a second of the newest frame.
  await waitFor(`the playhead of ${selector} near the live edge`, () =>
    evaluate<boolean>(
      page,
      `(() => {
        const v = document.querySelector(${JSON.stringify(selector)});
        const b = v.buffered;
        return b.length > 0 && b.end(b.length - 1) - v.currentTime < 0.5;
      })()`,
    ));
}

/** The RGB of each bar's middle, a quarter down the picture (clear of the counter and the box). */
export async function barColours(page: Page, selector = "video"): Promise<number[][]> {
  return await evaluate<number[][]>(
    page,
    `(() => {
    const video = document.querySelector(${JSON.stringify(selector)});
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const g = canvas.getContext("2d");
    g.drawImage(video, 0, 0);
    const y = Math.floor(canvas.height * 0.3);
    const out = [];
    for (let b = 0; b < ${BARS_RGB.length}; b++) {
      const x = Math.floor(((b + 0.5) * canvas.width) / ${BARS_RGB.length});
      out.push([...g.getImageData(x, y, 1, 1).data.slice(0, 3)]);
    }
    return out;
  })()`,
  );
}

/** Asserts that `colours` are the pattern's bars, within a tolerance for the codec's loss. */
export function assertBars(colours: number[][], where: string): void {
  colours.forEach((rgb, b) => {
    const off = rgb.some((c, i) => Math.abs(c - BARS_RGB[b][i]) > TOLERANCE);
    assert.ok(!off, `${where}: bar ${b} is ${rgb}, expected about ${BARS_RGB[b]}`);
  });
}
