/** The player page and script as served: relative URLs at any depth, a script that parses. */

import assert from "node:assert/strict";
import { playerHtml, playPage } from "../../src/http/player_page.ts";
import { PLAYER_SCRIPT, playerAsset } from "../../src/http/player_script.ts";

Deno.test("player script: valid JavaScript defining rtspEdgePlayer, served as player.js only", async () => {
  const window: Record<string, unknown> = {};
  new Function("window", PLAYER_SCRIPT)(window);
  assert.equal(typeof window.rtspEdgePlayer, "function");
  const asset = playerAsset("player.js")!;
  assert.equal(asset.headers.get("Content-Type"), "text/javascript; charset=utf-8");
  assert.equal(await asset.text(), PLAYER_SCRIPT);
  assert.equal(playerAsset("console.js"), undefined);
});

Deno.test("player page: relative script and socket URLs that climb out of /play/<path>", () => {
  const one = playerHtml("/cam");
  assert.match(one, /<script src="\.\.\/assets\/player\.js">/);
  assert.match(one, /data-preview="\.\.\/preview\/cam"/);
  assert.match(one, /<script src="\.\.\/assets\/play\.js">/);
  const two = playerHtml("/site/front door");
  assert.match(two, /<script src="\.\.\/\.\.\/assets\/player\.js">/);
  assert.match(two, /"\.\.\/\.\.\/preview\/site\/front%20door"/);
  assert.doesNotMatch(one, /(src|href)="\//, "no absolute URL: the page works behind a prefix");
});

Deno.test("player page: a path cannot close the script element or inject markup", async () => {
  const html = await playPage("/a</script><b>", new URL("http://x/play/a")).text();
  assert.equal(html.match(/<\/script>/g)?.length, 2);
  assert.doesNotMatch(html, /<b>/);
});
