/**
 * RTSPS (RTSP over TLS) on its own port: ffprobe, ffmpeg and GStreamer read through it with a
 * self-signed certificate; media goes only interleaved inside TLS; plain RTSP works beside it;
 * a client speaking plain RTSP to the TLS port is dropped without harm.
 */

import assert from "node:assert/strict";
import * as net from "node:net";
import * as tls from "node:tls";
import { serve } from "../../mod.ts";
import type { RtspResponse } from "../../src/rtsp/message.ts";
import { RtspParser } from "../../src/rtsp/parser.ts";
import { otherKeyPem, selfSignedPem } from "../runtime/self_signed.ts";
import { RtspTestClient } from "../support/rtsp_client.ts";
import {
  argv,
  assertGstDecoded,
  type ClipServer,
  gstDecode,
  interopTest,
  run,
  startClipServer,
  teardownCounter,
} from "./support.ts";

/** The clip server, also listening for RTSPS on a free port. */
async function startTlsClipServer(
  options: Parameters<typeof startClipServer>[0] = {},
): Promise<ClipServer & { tlsUrl: string }> {
  const s = await startClipServer({ ...options, tls: { port: 0, ...await selfSignedPem() } });
  return { ...s, tlsUrl: s.server.tlsUrl("/stream") };
}

/** An RTSP conversation inside TLS, one request at a time, for what the real clients never ask. */
class TlsRtsp {
  readonly interleaved: number[] = [];
  #socket: tls.TLSSocket;
  #parser = new RtspParser();
  #cseq = 0;
  #waiting: ((r: RtspResponse) => void) | undefined;

  private constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    socket.on("data", (bytes: Uint8Array) => {
      this.#parser.feed(bytes);
      for (let e = this.#parser.next(); e.kind !== "need-more"; e = this.#parser.next()) {
        if (e.kind === "response") this.#waiting?.(e.response);
        else if (e.kind === "interleaved") this.interleaved.push(e.channel);
        else throw new Error(`unexpected ${e.kind} from the server`);
      }
    });
  }

  static connect(port: number): Promise<TlsRtsp> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
        socket.off("error", reject);
        resolve(new TlsRtsp(socket));
      });
      socket.once("error", reject);
    });
  }

  request(method: string, url: string, headers: Record<string, string> = {}) {
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.#cseq}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no response`)), 10_000);
      this.#waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.#socket.write(lines.join("\r\n") + "\r\n\r\n");
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#socket.once("close", () => resolve());
      this.#socket.destroy();
    });
  }
}

const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

interopTest(
  "ffprobe reads rtsps:// with a self-signed certificate and reports h264 at the clip's size",
  ["openssl", "ffmpeg", "ffprobe"],
  async () => {
    const s = await startTlsClipServer();
    try {
      assert.match(s.tlsUrl, /^rtsps:\/\/127\.0\.0\.1:\d+\/stream$/);
      assert.notEqual(s.server.tlsPort, s.server.port);
      const r = await run("ffprobe", argv`-v error -show_streams -of json ${s.tlsUrl}`, 30_000);
      assert.equal(r.code, 0, r.stderr);
      const video = JSON.parse(r.stdout).streams[0];
      assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 640, 360]);
    } finally {
      await s.close();
    }
  },
);

interopTest(
  "ffmpeg reads rtsps:// and decodes 60 frames without an error",
  ["openssl", "ffmpeg"],
  async () => {
    const s = await startTlsClipServer();
    try {
      // ffmpeg's rtsps does not verify the certificate by default (and its RTSP demuxer takes no
      // -tls_verify: "Option tls_verify not found"), so the self-signed one is accepted.
      const r = await run(
        "ffmpeg",
        argv`-v error -xerror -i ${s.tlsUrl} -frames:v 60 -f framecrc -`,
        30_000,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr.trim(), "");
      assert.equal(r.stdout.split("\n").filter((l) => /^\d+,/.test(l)).length, 60);
    } finally {
      await s.close();
    }
  },
);

interopTest(
  "GStreamer's rtspsrc reads rtsps:// over TCP without validating and decodes 60 frames",
  ["openssl", "ffmpeg", "gst-launch-1.0"],
  async () => {
    const teardowns = teardownCounter();
    const s = await startTlsClipServer({ logger: teardowns.logger });
    try {
      const r = await gstDecode(s.tlsUrl, ["tls-validation-flags=0", "protocols=tcp"], 60);
      assertGstDecoded(r, teardowns.count());
    } finally {
      await s.close();
    }
  },
);

interopTest(
  "a UDP SETUP over RTSPS gets 461, and the same connection then plays interleaved over TCP",
  ["openssl", "ffmpeg"],
  async () => {
    const s = await startTlsClipServer();
    const c = await TlsRtsp.connect(s.server.tlsPort!);
    try {
      const track = `${s.tlsUrl}/trackID=0`;
      assert.equal((await c.request("DESCRIBE", s.tlsUrl)).status, 200);
      const udp = await c.request("SETUP", track, {
        Transport: "RTP/AVP;unicast;client_port=5000-5001",
      });
      assert.equal(udp.status, 461);
      assert.equal(s.server.stats.sessions, 0);
      // A list offering UDP first gets its TCP choice (RFC 2326 §12.39: the server picks one).
      const tcp = await c.request("SETUP", track, {
        Transport: "RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;unicast;interleaved=0-1",
      });
      assert.equal(tcp.status, 200);
      assert.match(tcp.headers.get("Transport") ?? "", /^RTP\/AVP\/TCP;unicast;interleaved=0-1/);
      const session = (tcp.headers.get("Session") ?? "").split(";")[0];
      assert.equal((await c.request("PLAY", s.tlsUrl, { Session: session })).status, 200);
      await until("RTP inside TLS", () => c.interleaved.filter((ch) => ch === 0).length >= 30);
    } finally {
      await c.close();
      await s.close();
    }
  },
);

interopTest(
  "plain RTSP keeps working beside RTSPS: a UDP reader and a TLS reader play at once",
  ["openssl", "ffmpeg"],
  async () => {
    const s = await startTlsClipServer();
    const plain = await RtspTestClient.connect(s.url, { transport: "udp" });
    const secure = await TlsRtsp.connect(s.server.tlsPort!);
    try {
      await plain.play();
      const setup = await secure.request("SETUP", `${s.tlsUrl}/trackID=0`, {
        Transport: "RTP/AVP/TCP;unicast;interleaved=0-1",
      });
      assert.equal(setup.status, 200);
      const session = (setup.headers.get("Session") ?? "").split(";")[0];
      assert.equal((await secure.request("PLAY", s.tlsUrl, { Session: session })).status, 200);
      await until(
        "frames on both",
        () => plain.framesReceived >= 15 && secure.interleaved.length > 30,
      );
      assert.equal(s.server.stats.sessions, 2);
    } finally {
      await plain.close();
      await secure.close();
      await s.close();
    }
  },
);

interopTest(
  "a client speaking plain RTSP to the RTSPS port is dropped without an answer, harmlessly",
  ["openssl", "ffmpeg"],
  async () => {
    const s = await startTlsClipServer();
    try {
      const received: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port: s.server.tlsPort! }, () => {
          socket.write("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n");
        });
        const timer = setTimeout(() => reject(new Error("the server kept the connection")), 5000);
        socket.on("data", (b: Uint8Array) => received.push(new TextDecoder().decode(b)));
        socket.on("error", () => {});
        socket.on("close", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      // At most a TLS alert comes back, never an RTSP response.
      assert.doesNotMatch(received.join(""), /RTSP\/1\.0/);
      assert.equal(s.server.stats.connections, 0);
      const c = await TlsRtsp.connect(s.server.tlsPort!);
      assert.equal((await c.request("OPTIONS", s.tlsUrl)).status, 200);
      await c.close();
    } finally {
      await s.close();
    }
  },
);

interopTest(
  "serve() refuses a key that is not the certificate's in one sentence, and frees its ports",
  ["openssl"],
  async () => {
    const { cert } = await selfSignedPem();
    const key = await otherKeyPem();
    const probe = await serve({ port: 0, hostname: "127.0.0.1" });
    const port = probe.port;
    await probe.close();
    await assert.rejects(
      serve({ port, hostname: "127.0.0.1", tls: { port: 0, cert, key } }),
      {
        message:
          "cannot listen for RTSPS (TLS) on 127.0.0.1:0: the TLS key does not belong to the TLS certificate",
      },
    );
    const again = await serve({ port, hostname: "127.0.0.1" });
    await again.close();
  },
);

interopTest("serve() says when the RTSPS port is in use", ["openssl"], async () => {
  const taken = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    await assert.rejects(
      serve({
        port: 0,
        hostname: "127.0.0.1",
        tls: { port: taken.port, ...await selfSignedPem() },
      }),
      { message: `cannot listen for RTSPS (TLS) on 127.0.0.1:${taken.port}: the port is in use` },
    );
  } finally {
    await taken.close();
  }
});

Deno.test("serve() refuses tls options that are not PEM text or share the RTSP port", async () => {
  await assert.rejects(
    serve({ port: 0, tls: { port: 0, cert: "/etc/cert.pem", key: "-----BEGIN x" } }),
    { message: 'tls.cert must be PEM text (-----BEGIN ...), got "/etc/cert.pem"' },
  );
  await assert.rejects(
    serve({ port: 9554, tls: { port: 9554, cert: "-----BEGIN x", key: "-----BEGIN x" } }),
    { message: "tls.port must differ from port (RTSP), both are 9554" },
  );
});

Deno.test("tlsUrl() throws on a server started without tls", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    assert.equal(server.tlsPort, undefined);
    assert.throws(() => server.tlsUrl("/stream"), /does not serve RTSPS/);
  } finally {
    await server.close();
  }
});
