/**
 * The console's page: a shell of HTML and CSS that `/assets/console.js` (console_script.ts) fills
 * from the JSON API and keeps live. One file, served from the binary: no CDN, nothing for the user
 * to build. The ports the page cannot learn from its own address (RTSP's, RTSPS's) ride in data
 * attributes.
 *
 * @module
 */

import { VERSION } from "../version.ts";

/** What the page needs to know about the server. */
export interface ConsoleFacts {
  /** The RTSP port. */
  rtspPort: number;
  /** The RTSPS port, when TLS is configured. */
  rtspsPort?: number;
  /** Whether users are configured (the snippets then hold placeholders for credentials). */
  auth: boolean;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #f5f5f7; --card: #fff; --muted: #6e6e73;
  --line: #d2d2d7; --ok: #1a7f37; --wait: #9a6700; --bad: #cf222e; --accent: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22;
  --muted: #8b949e; --line: #30363d; --ok: #3fb950; --wait: #d29922; --bad: #f85149;
  --accent: #58a6ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: .75rem; padding: .75rem 1rem;
  border-bottom: 1px solid var(--line); background: var(--card); position: sticky; top: 0; z-index: 1; }
header h1 { font-size: 1.1rem; margin: 0; }
header .muted { margin-left: auto; }
main { display: grid; gap: 1rem; padding: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 30rem), 1fr)); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .6rem; overflow: hidden; }
.card h2 { font-size: 1rem; margin: 0; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
.card .body { padding: .75rem 1rem; display: grid; gap: .5rem; }
.video { position: relative; background: #000; aspect-ratio: 16 / 9; }
.video video { width: 100%; height: 100%; object-fit: contain; display: block; }
.video .note { position: absolute; left: .5rem; bottom: .4rem; color: #fff; font-size: .8rem;
  text-shadow: 0 0 3px #000; }
.state { font-size: .8rem; padding: .05rem .5rem; border-radius: 1rem; border: 1px solid currentColor; }
.state.streaming { color: var(--ok); } .state.waiting, .state.idle, .state.connecting { color: var(--wait); }
.state.backing-off, .state.stopped { color: var(--bad); }
.muted { color: var(--muted); font-size: .85rem; }
.error { color: var(--bad); font-size: .85rem; overflow-wrap: anywhere; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem .75rem; margin: 0; font-size: .9rem; }
dt { color: var(--muted); } dd { margin: 0; overflow-wrap: anywhere; }
.copy { display: flex; gap: .4rem; align-items: center; font: .85rem ui-monospace, monospace; }
.copy[hidden], table[hidden] { display: none; }
.copy code { flex: 1; overflow-x: auto; white-space: nowrap; padding: .2rem .4rem;
  background: var(--bg); border-radius: .3rem; }
button { font: inherit; font-size: .8rem; padding: .15rem .6rem; border-radius: .35rem;
  border: 1px solid var(--line); background: var(--bg); color: var(--fg); cursor: pointer; }
table { width: 100%; border-collapse: collapse; font-size: .85rem; }
th, td { text-align: left; padding: .2rem .3rem; border-top: 1px solid var(--line); }
details summary { cursor: pointer; color: var(--accent); font-size: .9rem; }
pre { margin: .4rem 0 0; padding: .5rem; background: var(--bg); border-radius: .3rem;
  font-size: .8rem; overflow-x: auto; }
#log { margin: 0 1rem 1rem; }
#log pre { max-height: 16rem; overflow-y: auto; white-space: pre-wrap; }
.lost { padding: .5rem 1rem; background: var(--bad); color: #fff; display: none; }
body.offline .lost { display: block; }
`;

/** The console page for `facts`. */
export function consolePage(facts: ConsoleFacts): Response {
  const data = [
    `data-rtsp-port="${facts.rtspPort}"`,
    facts.rtspsPort === undefined ? "" : `data-rtsps-port="${facts.rtspsPort}"`,
    `data-auth="${facts.auth}"`,
  ].filter(Boolean).join(" ");
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>rtsp-edge</title>
<style>${STYLE}</style>
<script src="assets/player.js" defer></script>
<script src="assets/console.js" defer></script>
</head>
<body ${data}>
<header><h1>rtsp-edge</h1><span class="muted" id="summary">loading…</span>
<span class="muted">v${VERSION}</span></header>
<div class="lost">The server does not answer; retrying…</div>
<main id="paths"></main>
<section id="log" class="card"><div class="body"><h2>Recent log</h2><pre id="log-lines"></pre></div></section>
</body>
</html>
`;
  return new Response(html, {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}
