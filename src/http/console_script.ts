/**
 * The console's script, served as `/assets/console.js`: it asks `api/paths` and `api/logs` every
 * second and keeps one card per path up to date (state, picture facts, readers, publisher, the
 * URLs to copy, Frigate and Home Assistant snippets), and plays a live preview in each card while
 * the card is on screen (the player, `/assets/player.js`, stops by itself when the page is hidden).
 * Plain ES2020 for every current browser, phones included; text from the server only ever goes in
 * through `textContent`, never as markup. URLs are relative, so the console works behind a prefix.
 *
 * @module
 */

/** The script's source. */
export const CONSOLE_SCRIPT = String.raw`"use strict";
(() => {
  const data = document.body.dataset;
  const base = new URL(".", location.href);
  const host = location.hostname.includes(":") ? "[" + location.hostname + "]" : location.hostname;
  const cards = new Map();

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k.startsWith("on")) node[k] = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }
  const encodeName = (name) => name.split("/").map(encodeURIComponent).join("/");
  const rtspUrl = (name, secure) => (secure ? "rtsps://" : "rtsp://") + host + ":" +
    (secure ? data.rtspsPort : data.rtspPort) + "/" + name;
  const pageUrl = (rel) => new URL(rel, base).href;
  const snapshotUrl = (name) => pageUrl("snapshot/" + encodeName(name) + ".jpg");

  function bitrate(bits) {
    if (bits == null) return "–";
    if (bits >= 1e6) return (bits / 1e6).toFixed(1) + " Mbit/s";
    return Math.round(bits / 1e3) + " kbit/s";
  }
  function since(iso) {
    if (!iso) return "";
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 90) return s + " s";
    if (s < 5400) return Math.round(s / 60) + " min";
    return (s / 3600).toFixed(1) + " h";
  }
  const STATE_TEXT = {
    streaming: "streaming", waiting: "waiting", connecting: "connecting",
    "backing-off": "backing off", idle: "idle (on demand)", stopped: "stopped",
  };
  function stateText(p) {
    if (p.state === "waiting") {
      return p.source.type === "ingest" ? "waiting for a device"
        : p.source.type === "publisher" ? "waiting for a publisher" : "waiting";
    }
    return STATE_TEXT[p.state] || p.state;
  }

  function frigateSnippet(name) {
    const user = data.auth === "true" ? "{FRIGATE_RTSP_USER}:{FRIGATE_RTSP_PASSWORD}@" : "";
    return "cameras:\n  " + name.replace(/[^A-Za-z0-9_]/g, "_") + ":\n    ffmpeg:\n" +
      "      inputs:\n        - path: " + rtspUrl(name, false).replace("://", "://" + user) +
      "\n          input_args: preset-rtsp-restream\n          roles: [detect, record]\n";
  }
  function homeAssistantSnippet(name) {
    return "Settings → Devices & services → Add integration → Generic Camera\n" +
      "Still image URL: " + snapshotUrl(name) + "\n" +
      "Stream source:   " + rtspUrl(name, false) + "\n" +
      "RTSP transport:  TCP" + (data.auth === "true" ? "\nUser name and password: yours" : "") + "\n";
  }

  function copyRow(label, value) {
    const code = h("code", {}, value);
    const button = h("button", { type: "button", title: "copy " + label }, "copy");
    button.onclick = () => {
      navigator.clipboard?.writeText(code.textContent).then(
        () => { button.textContent = "copied"; setTimeout(() => button.textContent = "copy", 1500); },
        () => { getSelection().selectAllChildren(code); },
      );
    };
    return { row: h("div", { class: "copy" }, h("span", { class: "muted" }, label), code, button), code };
  }

  function makeCard(name) {
    const badge = h("span", { class: "state" });
    const video = h("video", { muted: "", playsinline: "", autoplay: "" });
    video.muted = true;
    const note = h("span", { class: "note" });
    const facts = h("dl");
    const error = h("div", { class: "error" });
    const rtsp = copyRow("RTSP", "");
    const rtsps = copyRow("RTSPS", "");
    const snap = copyRow("Snapshot", "");
    const play = h("a", { target: "_blank", rel: "noopener" }, "open the player alone");
    const readers = h("table");
    const frigate = h("pre");
    const ha = h("pre");
    const card = h("section", { class: "card", "data-path": name },
      h("div", { class: "video" }, video, note),
      h("div", { class: "body" },
        h("h2", {}, name, badge),
        error, facts, rtsp.row, rtsps.row, snap.row, play, readers,
        h("details", {}, h("summary", {}, "Frigate"), frigate),
        h("details", {}, h("summary", {}, "Home Assistant"), ha)));
    const entry = { card, badge, video, note, facts, error, rtsp, rtsps, snap, play, readers,
      frigate, ha, player: undefined, visible: false, streaming: false };
    new IntersectionObserver(([e]) => { entry.visible = e.isIntersecting; preview(name, entry); })
      .observe(card);
    return entry;
  }

  // A card's preview plays while the card is on screen and its path streams.
  function preview(name, c) {
    const want = c.visible && c.streaming && typeof window.rtspEdgePlayer === "function";
    if (want && !c.player) {
      const ws = pageUrl("preview/" + encodeName(name)).replace(/^http/, "ws");
      c.player = window.rtspEdgePlayer(c.video, ws);
      c.note.textContent = "";
    } else if (!want && c.player) {
      c.player.stop();
      c.player = undefined;
    }
    if (!c.streaming) c.note.textContent = "no picture";
  }

  function fact(dl, label, value) {
    dl.append(h("dt", {}, label), h("dd", {}, value));
  }

  function update(c, p) {
    c.badge.textContent = stateText(p);
    c.badge.className = "state " + p.state;
    c.error.textContent = p.lastError
      ? p.lastError + (p.retryAt ? " (next try in " + Math.max(0, Math.round((Date.parse(p.retryAt) - Date.now()) / 1000)) + " s)" : "")
      : "";
    c.facts.replaceChildren();
    fact(c.facts, "Source", p.source.type + (p.source.detail ? ": " + p.source.detail : ""));
    if (p.publisher) fact(c.facts, "Publisher", p.publisher.type + " " + p.publisher.peer + ", for " + since(p.publisher.since));
    if (p.codec) {
      const size = p.width && p.height ? p.width + "×" + p.height : "size unknown";
      const fps = p.fps ? ", " + (Math.round(p.fps * 10) / 10) + " fps" : "";
      fact(c.facts, "Picture", p.codec.toUpperCase() + ", " + size + fps + ", " + bitrate(p.bitrate));
    }
    if (p.audio) fact(c.facts, "Sound", p.audio);
    if (p.reconnects) fact(c.facts, "Reconnects", String(p.reconnects));
    for (const push of p.pushes || []) {
      fact(c.facts, "Pushed to", push.url + " (" + push.state + (push.lastError ? ": " + push.lastError : "") + ")");
    }
    c.rtsp.code.textContent = rtspUrl(p.name, false);
    c.rtsps.row.hidden = !data.rtspsPort;
    if (data.rtspsPort) c.rtsps.code.textContent = rtspUrl(p.name, true);
    c.snap.code.textContent = snapshotUrl(p.name);
    c.play.href = pageUrl("play/" + encodeName(p.name));
    c.readers.replaceChildren(h("tr", {}, ...["Reader", "Transport", "For", "Dropped", ""].map((t) => h("th", {}, t))));
    for (const r of p.readers) {
      const kick = h("button", { type: "button", title: "end this session" }, "kick");
      kick.onclick = () => fetch(pageUrl("api/sessions/" + encodeURIComponent(r.id) + "/kick"), { method: "POST" }).then(poll);
      c.readers.append(h("tr", {}, h("td", {}, r.peer), h("td", {}, r.transport),
        h("td", {}, since(r.since)), h("td", {}, String(r.framesDropped)),
        h("td", {}, r.transport === "tap" ? "" : kick)));
    }
    c.readers.hidden = p.readers.length === 0;
    if (c.frigate.textContent === "") {
      c.frigate.textContent = frigateSnippet(p.name);
      c.ha.textContent = homeAssistantSnippet(p.name);
    }
    c.streaming = p.state === "streaming";
    preview(p.name, c);
  }

  const main = document.getElementById("paths");
  const summary = document.getElementById("summary");
  const logLines = document.getElementById("log-lines");
  let timer;
  async function poll() {
    clearTimeout(timer);
    try {
      const [paths, logs] = await Promise.all([
        fetch(pageUrl("api/paths"), { cache: "no-store" }).then((r) => r.ok ? r.json() : Promise.reject(r.status)),
        fetch(pageUrl("api/logs"), { cache: "no-store" }).then((r) => r.ok ? r.json() : { items: [] }),
      ]);
      document.body.classList.remove("offline");
      const seen = new Set();
      for (const p of paths.items) {
        seen.add(p.name);
        let c = cards.get(p.name);
        if (!c) { c = makeCard(p.name); cards.set(p.name, c); main.append(c.card); }
        update(c, p);
      }
      for (const [name, c] of cards) {
        if (seen.has(name)) continue;
        c.player?.stop();
        c.card.remove();
        cards.delete(name);
      }
      const readers = paths.items.reduce((n, p) => n + p.readers.length, 0);
      summary.textContent = paths.items.length + " paths, " + readers + " readers";
      logLines.textContent = logs.items.slice(-100).map((l) =>
        l.time.slice(11, 19) + " " + l.level.padEnd(5) + " " + l.message +
        Object.entries(l.fields || {}).map(([k, v]) => " " + k + "=" + JSON.stringify(v)).join("")
      ).join("\n");
    } catch {
      document.body.classList.add("offline");
    }
    timer = setTimeout(poll, document.hidden ? 5000 : 1000);
  }
  document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });
  poll();
})();
`;
