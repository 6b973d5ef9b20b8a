/**
 * The console in the real Chromium, over what the CLI runs for a config file: a test pattern, a
 * device pushing JPEG over HTTP and an RTSP publisher (ffmpeg). Every path gets its card with its
 * state and a preview that plays (the pattern and the device show the colour bars), the bare
 * player plays under the router's Content-Security-Policy, and a device
 * that stops shows as waiting. Screenshots go to test/artifacts/. Waits poll with generous
 * deadlines; the one timed promise, that a stopped device is seen as waiting, is the board's.
 */

import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { parseConfig } from "../../src/config/config.ts";
import { startAll } from "../../src/cli/run.ts";
import { silentLogger } from "../../src/base/log.ts";
import { argv } from "../interop/support.ts";
import { browserTest, evaluate, waitFor } from "./chromium.ts";
import { patternJpegs } from "./pattern_sources.ts";
import { assertBars, assertPlays, barColours } from "./video_checks.ts";

const CONFIG = `
rtspPort: 0
httpPort: 0
bind: 127.0.0.1
paths:
  pattern: { source: test-pattern, size: 640x360, fps: 25, gop: 25 }
  door: { source: ingest, gop: 10 }
  studio: { source: publisher }
`;

const card = (name: string) => `section[data-path="${name}"]`;

async function badge(page: Page, name: string): Promise<string> {
  return await evaluate<string>(
    page,
    `document.querySelector('${card(name)} .state')?.textContent ?? ""`,
  );
}

browserTest(
  "the console lists every path with its state, plays each preview, and sees a device stop",
  async (chromium) => {
    const { config } = parseConfig(CONFIG, "console.yml");
    const running = await startAll(config, { logger: silentLogger, retry: false });
    const http = `http://127.0.0.1:${running.ingest!.port}`;
    const rtsp = running.server.url("/studio");
    // The device: one POST per JPEG, 10 a second, until told to stop.
    const jpegs = await patternJpegs(640, 360, 20);
    let pushing = true;
    const device = (async () => {
      for (let i = 0; pushing; i++) {
        const r = await fetch(`${http}/ingest/door`, {
          method: "POST",
          headers: { "content-type": "image/jpeg" },
          body: jpegs[i % jpegs.length] as Uint8Array<ArrayBuffer>,
        });
        await r.body?.cancel();
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const publisher = new Deno.Command("ffmpeg", {
      args:
        argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=15 -c:v libx264 -preset ultrafast
        -tune zerolatency -g 15 -pix_fmt yuv420p -f rtsp -rtsp_transport tcp ${rtsp}`,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    try {
      const page = await chromium.newPage();
      // Tall enough that every card is on screen: previews play while their card is visible.
      await page.setViewport({ width: 1400, height: 2400 });
      await page.goto(`${http}/`);
      for (const name of ["pattern", "door", "studio"]) {
        await waitFor(`${name} streaming`, async () => (await badge(page, name)) === "streaming");
      }
      for (const name of ["pattern", "door", "studio"]) {
        await assertPlays(page, `${card(name)} video`);
      }
      assertBars(await barColours(page, `${card("pattern")} video`), "pattern");
      assertBars(await barColours(page, `${card("door")} video`), "door");
      // The facts a user reads: the source, the picture, the URLs to copy.
      const text = await evaluate<string>(
        page,
        `document.querySelector('${card("pattern")}').innerText`,
      );
      assert.match(text, /test-pattern/);
      assert.match(text, /H264, 640×360/);
      assert.match(text, new RegExp(`rtsp://127\\.0\\.0\\.1:${running.server.port}/pattern`));
      assert.match(text, new RegExp(`${http}/snapshot/pattern\\.jpg`));
      const door = await evaluate<string>(
        page,
        `document.querySelector('${card("door")}').innerText`,
      );
      assert.match(door, /Publisher\s+ingest 127\.0\.0\.1/);
      await chromium.screenshot(page, "console");
      // The bare player, under the pages' Content-Security-Policy as the router serves it.
      const player = await chromium.newPage();
      await player.goto(`${http}/play/pattern`);
      await assertPlays(player);
      assertBars(await barColours(player), "/play/pattern");
      await player.close();

      // The device stops: the board says so within 2 s, and the page shows it.
      pushing = false;
      await device;
      const stoppedAt = Date.now();
      await waitFor("the API to say the device path waits", async () => {
        const r = await fetch(`${http}/api/paths/door`);
        return (await r.json()).state === "waiting";
      });
      const seenAfter = Date.now() - stoppedAt;
      assert.ok(seenAfter <= 2000, `the stopped device was seen after ${seenAfter} ms`);
      await waitFor(
        "the card to say it waits for a device",
        async () => (await badge(page, "door")) === "waiting for a device",
      );
      await chromium.screenshot(page, "console-device-stopped");
    } finally {
      pushing = false;
      await device.catch(() => {});
      publisher.kill("SIGTERM");
      await publisher.output().catch(() => {});
      await running.stop();
    }
  },
  ["ffmpeg"],
);
