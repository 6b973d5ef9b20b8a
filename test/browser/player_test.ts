/**
 * The player in the real Chromium: `/play/<path>` plays the test pattern (frames keep coming, the
 * colour bars are where the pattern draws them), a JPEG path plays through the preview's
 * transcoder, a hidden page lets go of the stream (its tap closes) and takes it again when shown,
 * and a socket dropped by the server is reopened by the player. Screenshots go to test/artifacts/. Every wait polls with a generous deadline: a busy
 * 2-core machine may be slow, never wrong.
 */

import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { serve } from "../../mod.ts";
import { silentLogger } from "../../src/base/log.ts";
import type { WebSocketPeer } from "../../src/http/web_handler.ts";
import { startIngest } from "../../src/ingest/ingest_server.ts";
import { browserTest, evaluate, waitFor } from "./chromium.ts";
import { assertBars, assertPlays, barColours } from "./video_checks.ts";
import { feedJpegs, patternJpegs, startH264Pattern } from "./pattern_sources.ts";
import { previewWebHandler } from "./preview_web.ts";

const WIDTH = 640, HEIGHT = 360;

browserTest(
  "the player plays H.264 and JPEG paths in Chromium, stops while hidden, reconnects",
  async (
    chromium,
  ) => {
    const server = await serve({ port: 0, hostname: "127.0.0.1" });
    const cam = server.addStream("/cam", { codec: "h264" });
    const jpeg = server.addStream("/jpeg", { codec: "jpeg" });
    const pattern = await startH264Pattern(cam, { width: WIDTH, height: HEIGHT, fps: 25 });
    const jpegFeeder = feedJpegs(jpeg, await patternJpegs(WIDTH, HEIGHT, 25), 15);
    const peers: WebSocketPeer[] = [];
    const ingest = await startIngest({
      rtsp: server,
      port: 0,
      hostname: "127.0.0.1",
      policyFor: () => undefined,
      web: previewWebHandler({ server, logger: silentLogger }, (session) => {
        // Keeps each socket's peer, for dropping a connection from the server's side.
        return {
          open(peer) {
            peers.push(peer);
            session.open(peer);
          },
          message: (data) => session.message?.(data),
          closed: () => session.closed(),
        };
      }),
    });
    const base = `http://127.0.0.1:${ingest.port}`;
    try {
      // H.264: plays, and the bars are where the pattern draws them.
      const page = await chromium.newPage();
      await page.setViewport({ width: WIDTH, height: HEIGHT });
      await page.goto(`${base}/play/cam`);
      await assertPlays(page);
      const size = await evaluate<number[]>(
        page,
        `[document.querySelector("video").videoWidth, document.querySelector("video").videoHeight]`,
      );
      assert.deepEqual(size, [WIDTH, HEIGHT]);
      assertBars(await barColours(page), "/cam");
      await waitFor(
        "the state line to say playing",
        () => evaluate(page, `document.getElementById("state").textContent === "playing"`),
      );
      await chromium.screenshot(page, "play-h264");

      // Hidden: the socket closes, so the server's tap does; shown again: it plays again.
      assert.equal(cam.readerCount, 1);
      await setHidden(page, true);
      await waitFor("the tap to close while hidden", () => cam.readerCount === 0);
      await setHidden(page, false);
      await waitFor("the tap to open again", () => cam.readerCount === 1);
      await assertPlays(page);

      // A dropped socket: the player reconnects by itself and plays on.
      peers.at(-1)!.close(1011, "dropped by the test");
      await waitFor("the tap to close with the socket", () => cam.readerCount === 0);
      await waitFor("the player to reconnect", () => cam.readerCount === 1);
      await assertPlays(page);
      await page.close();
      await waitFor("the tap to close with the page", () => cam.readerCount === 0);

      // JPEG: transcoded for the preview, played the same way.
      const jpegPage = await chromium.newPage();
      await jpegPage.setViewport({ width: WIDTH, height: HEIGHT });
      await jpegPage.goto(`${base}/play/jpeg`);
      await assertPlays(jpegPage);
      assertBars(await barColours(jpegPage), "/jpeg");
      await chromium.screenshot(jpegPage, "play-jpeg");
      await jpegPage.close();
      await waitFor("the transcoder to stop with its last viewer", () => jpeg.readerCount === 0);
    } finally {
      jpegFeeder.stop();
      await pattern.stop();
      await ingest.close();
      await server.close();
    }
  },
  ["ffmpeg"], // makes the JPEGs
);

/** Emulates the page going to the background (or back), as a phone's tab switch does. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await evaluate(
    page,
    `(() => {
    Object.defineProperty(document, "visibilityState", {
      configurable: true,
      get: () => "${hidden ? "hidden" : "visible"}",
    });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => ${hidden} });
    document.dispatchEvent(new Event("visibilitychange"));
  })()`,
  );
}
