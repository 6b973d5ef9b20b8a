/**
 * Authentication with real clients: ffmpeg and GStreamer reading with Digest (and Basic where
 * allowed), failing cleanly with wrong credentials, ffmpeg publishing with credentials, and a
 * protected server answering existing and missing paths alike.
 */

import assert from "node:assert/strict";
import type { AccessRules } from "../../src/auth/rights.ts";
import { serve } from "../../src/server/server.ts";
import {
  argv,
  assertGstDecoded,
  decodeFrames,
  gstDecode,
  interopTest,
  run,
  type RunResult,
  startClipServer,
  withTempDir,
} from "./support.ts";

const USERS: AccessRules["users"] = { alice: { password: "wonder land" }, bob: { password: "b" } };

function withCredentials(url: string, user: string, password: string): string {
  return url.replace(
    "rtsp://",
    `rtsp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@`,
  );
}

/** ffmpeg reading 2 s of `url` into an MP4; the result and the frames decoded from it. */
function ffmpegRead(url: string, transport: string) {
  return withTempDir(async (dir) => {
    const out = `${dir}/out.mp4`;
    const r = await run(
      "ffmpeg",
      argv`-v error -rtsp_transport ${transport} -i ${url} -t 2 -c copy ${out}`,
      40_000,
    );
    return { r, decoded: r.code === 0 ? await decodeFrames(out) : undefined };
  });
}

for (const qop of [false, true]) {
  for (const transport of ["tcp", "udp"]) {
    interopTest(
      `ffmpeg reads over ${transport} with Digest credentials in the URL${
        qop ? ' (qop="auth" offered)' : ""
      }`,
      ["ffmpeg"],
      async () => {
        const s = await startClipServer({ access: { users: USERS, digestQop: qop } });
        try {
          const { r, decoded } = await ffmpegRead(
            withCredentials(s.url, "alice", "wonder land"),
            transport,
          );
          assert.equal(r.code, 0, r.stderr);
          assert.equal(decoded!.errors, "");
          assert.ok(decoded!.frames >= 50, `only ${decoded!.frames} frames`);
        } finally {
          await s.close();
        }
      },
    );
  }

  interopTest(
    `GStreamer reads with user-id and user-pw${qop ? ' (qop="auth" offered)' : ""}`,
    ["gst-launch-1.0"],
    async () => {
      const s = await startClipServer({ access: { users: USERS, digestQop: qop } });
      try {
        const r = await gstDecode(s.url, argv`user-id=alice ${"user-pw=wonder land"}`, 30);
        assertGstDecoded(r, 1);
      } finally {
        await s.close();
      }
    },
  );
}

interopTest("ffmpeg with a wrong password exits non-zero saying 401", ["ffmpeg"], async () => {
  const s = await startClipServer({ access: { users: USERS } });
  try {
    const { r } = await ffmpegRead(withCredentials(s.url, "alice", "wrong"), "tcp");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /401/);
    const none = await ffmpegRead(s.url, "tcp");
    assert.notEqual(none.r.code, 0);
    assert.match(none.r.stderr, /401/);
  } finally {
    await s.close();
  }
});

interopTest(
  "GStreamer with a wrong password fails without decoding",
  ["gst-launch-1.0"],
  async () => {
    const s = await startClipServer({ access: { users: USERS } });
    try {
      const r = await gstDecode(s.url, argv`user-id=alice user-pw=wrong`, 30);
      assert.notEqual(r.code, 0);
      assert.equal(r.eos, false);
      assert.match(r.stderr + r.stdout, /Unauthorized|401|auth/i);
    } finally {
      await s.close();
    }
  },
);

interopTest("ffmpeg and GStreamer read with Basic where it is allowed", [
  "ffmpeg",
  "gst-launch-1.0",
], async () => {
  const s = await startClipServer({
    access: { users: USERS, methods: ["basic"], allowBasicWithoutTls: true },
  });
  try {
    const { r, decoded } = await ffmpegRead(withCredentials(s.url, "alice", "wonder land"), "tcp");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(decoded!.frames >= 50);
    assertGstDecoded(await gstDecode(s.url, argv`user-id=alice ${"user-pw=wonder land"}`, 30), 1);
    const wrong = await ffmpegRead(withCredentials(s.url, "alice", "nope"), "tcp");
    assert.notEqual(wrong.r.code, 0);
  } finally {
    await s.close();
  }
});

interopTest("ffmpeg publishes with credentials; a reader without publish rights may not", [
  "ffmpeg",
], async () => {
  const server = await serve({
    port: 0,
    hostname: "127.0.0.1",
    access: { users: USERS, read: ["alice", "bob"], publish: ["bob"] },
  });
  const url = server.url("/cam");
  const publish = (user: string, password: string): Promise<RunResult> =>
    run(
      "ffmpeg",
      argv`-v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -t 5 -c:v libx264 -g 25 -bf 0
        -pix_fmt yuv420p -f rtsp -rtsp_transport tcp ${withCredentials(url, user, password)}`,
      40_000,
    );
  try {
    const refused = await publish("alice", "wonder land");
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /401/);
    const publisher = publish("bob", "b");
    await new Promise((r) => setTimeout(r, 1500));
    const { r, decoded } = await ffmpegRead(withCredentials(url, "alice", "wonder land"), "tcp");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(decoded!.frames >= 30, `only ${decoded!.frames} frames`);
    const p = await publisher;
    assert.equal(p.code, 0, p.stderr);
  } finally {
    await server.close();
  }
});

interopTest(
  "an unauthenticated DESCRIBE of an existing and of a missing path get the same 401",
  [],
  async () => {
    const s = await startClipServer({ access: { users: USERS } });
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.server.port });
      const ask = async (path: string, cseq: number) => {
        const request =
          `DESCRIBE rtsp://127.0.0.1:${s.server.port}${path} RTSP/1.0\r\nCSeq: ${cseq}\r\n\r\n`;
        await conn.write(new TextEncoder().encode(request));
        const buf = new Uint8Array(4096);
        const n = await conn.read(buf);
        return new TextDecoder().decode(buf.subarray(0, n ?? 0));
      };
      const here = await ask("/stream", 1);
      const gone = await ask("/missing", 2);
      conn.close();
      const shape = (text: string) =>
        text.split("\r\n").filter((l) => !/^(CSeq|Date|WWW-Authenticate):/.test(l)).join("\n");
      assert.match(here, /^RTSP\/1\.0 401 /);
      assert.equal(shape(here), shape(gone));
      assert.match(gone, /WWW-Authenticate: Digest realm="rtsp-edge", nonce="[0-9a-f]{32}"/);
    } finally {
      await s.close();
    }
  },
);
