// The ingest port's log lines as a user reads them: every refusal names its path, the idle close
// names path and peer, and the end of an upload says how it ended and how many frames it carried.
// Real sockets to the real ingest server; idle time is a ManualClock the test moves.
import assert from "node:assert/strict";
import {
  ACCESS_UNIT,
  POLICY,
  postAccessUnit,
  RawUpload,
  startClockedRig,
  startInMemoryIngest,
  TOKEN,
  until,
} from "./_server_rig.ts";

const serverTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

serverTest("each refusal (401, 404, 400, 413, 415) is logged once with its path", async () => {
  const rig = await startClockedRig({ ...POLICY, maxFrameBytes: 1024 });
  const post = async (
    path: string,
    headers: Record<string, string>,
    body: Uint8Array<ArrayBuffer>,
  ) => {
    const r = await fetch(`${rig.base}${path}`, { method: "POST", headers, body });
    await r.body?.cancel();
    return r.status;
  };
  const auth = { Authorization: `Bearer ${TOKEN}` };
  try {
    assert.equal((await postAccessUnit(rig.base, "/cam1", "wrong"))[0], 401);
    assert.equal((await postAccessUnit(rig.base, "/elsewhere"))[0], 404);
    assert.equal(
      await post(
        "/cam2",
        { ...auth, "Content-Type": "video/h264", "X-Timestamp-Us": "soon" },
        ACCESS_UNIT,
      ),
      400,
    );
    assert.equal(
      await post("/cam3", { ...auth, "Content-Type": "image/jpeg" }, new Uint8Array(4096)),
      413,
    );
    assert.equal(await post("/cam4", { ...auth, "Content-Type": "text/plain" }, ACCESS_UNIT), 415);
    const refused = rig.logged("ingest refused").map((
      l,
    ) => [l.level, l.fields?.path, l.fields?.status]);
    assert.deepEqual(refused, [
      ["warn", "/cam1", 401],
      ["warn", "/elsewhere", 404],
      ["warn", "/cam2", 400],
      ["warn", "/cam3", 413],
      ["warn", "/cam4", 415],
    ]);
    for (const line of rig.logged("ingest refused")) {
      assert.equal(line.fields?.peer, "127.0.0.1");
      assert.ok(String(line.fields?.reason).length > 0, "a reason");
    }
  } finally {
    await rig.close();
  }
});

serverTest(
  "an idle connection is closed on the clock's time and the log names path and peer",
  async () => {
    const rig = await startClockedRig(POLICY, { idleTimeoutMs: 30_000 });
    const upload = await RawUpload.open(rig.ingest.port, "/cam");
    try {
      await upload.accessUnit();
      await until(() => rig.framesAt("/cam") === 1, "the first frame");
      rig.clock.advance(30_000);
      rig.ingest.sweep();
      assert.equal(rig.logged("ingest connection idle; closed").length, 0, "not idle yet");
      rig.clock.advance(1);
      rig.ingest.sweep();
      rig.ingest.sweep(); // before the socket has reported its close: told once all the same
      assert.deepEqual(rig.logged("ingest connection idle; closed").map((l) => l.fields), [
        { path: "/cam", peer: "127.0.0.1", idleMs: 30_001 },
      ]);
      assert.ok(await upload.closedByServer());
      await until(() => rig.ingest.connections === 0, "the connection to be forgotten");
      // Its path is free for the device's next push.
      assert.deepEqual(await postAccessUnit(rig.base, "/cam"), [204, ""]);
    } finally {
      upload.close();
      await rig.close();
    }
  },
);

serverTest(
  "a request refused before its head is complete (411, 400, 431) names its path",
  async () => {
    const rig = await startClockedRig();
    /** Sends `head` on a fresh connection; the status answered. */
    const send = async (head: string) => {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: rig.ingest.port });
      try {
        await conn.write(new TextEncoder().encode(head));
        const buffer = new Uint8Array(1024);
        const n = await conn.read(buffer);
        const answer = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
        return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      } finally {
        conn.close();
      }
    };
    try {
      assert.equal(await send("POST /ingest/cam1 HTTP/1.1\r\nHost: a\r\n\r\n"), 411);
      assert.equal(await send("POST /ingest/cam2 HTTP/1.1\r\nno colon here\r\n\r\n"), 400);
      assert.equal(
        await send(`POST /ingest/cam3 HTTP/1.1\r\nX-Big: ${"b".repeat(20 << 10)}\r\n\r\n`),
        431,
      );
      const refused = rig.logged("ingest refused").map((l) => [l.fields?.path, l.fields?.status]);
      assert.deepEqual(refused, [["/cam1", 411], ["/cam2", 400], ["/cam3", 431]]);
    } finally {
      await rig.close();
    }
  },
);

serverTest("a connection that never sent a byte is closed idle, named by its peer", async () => {
  const rig = await startClockedRig();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: rig.ingest.port });
  try {
    await until(() => rig.ingest.connections === 1, "the connection");
    rig.clock.advance(30_001);
    rig.ingest.sweep();
    assert.deepEqual(rig.logged("ingest connection idle; closed").map((l) => l.fields), [
      { path: undefined, peer: "127.0.0.1", idleMs: 30_001 },
    ]);
  } finally {
    conn.close();
    await rig.close();
  }
});

serverTest("a request head that trickles in is closed 10 s after its first byte", async () => {
  const rig = await startInMemoryIngest();
  try {
    const conn = rig.connect();
    conn.send("POST /ingest/cam HTTP/1.1\r\n");
    for (let i = 0; i < 4; i++) {
      rig.clock.advance(2500);
      conn.send("X-Slow: a\r\n"); // a line now and then: never idle
      rig.ingest.sweep();
    }
    assert.equal(conn.closedByServer, false, "10 s, not more");
    rig.clock.advance(1);
    rig.ingest.sweep();
    assert.ok(conn.closedByServer);
    assert.deepEqual(rig.logged("ingest request head too slow; closed").map((l) => l.fields), [
      { path: "/cam", peer: "10.0.0.7", alsoFailed: undefined },
    ]);
    assert.equal(rig.logged("ingest connection idle; closed").length, 0);
  } finally {
    await rig.close();
  }
});

serverTest("a flood of trickling heads is told once per 10 s, with a count", async () => {
  const rig = await startInMemoryIngest();
  try {
    const conns = Array.from({ length: 5 }, (_, i) => rig.connect(`10.0.0.${i + 1}`));
    for (const conn of conns) conn.send("POST /ingest/cam HTTP/1.1\r\nHost: a");
    rig.clock.advance(10_001);
    rig.ingest.sweep();
    assert.ok(conns.every((c) => c.closedByServer));
    assert.equal(rig.logged("ingest request head too slow; closed").length, 1);
    const late = rig.connect();
    late.send("\r\n\r\n"); // blank lines before a request line count as a head begun
    rig.clock.advance(10_001);
    rig.ingest.sweep();
    assert.ok(late.closedByServer);
    const told = rig.logged("ingest request head too slow; closed");
    assert.equal(told.length, 2);
    assert.equal(told[1].fields?.alsoFailed, 4, "the four held back");
  } finally {
    await rig.close();
  }
});

serverTest("a complete head lifts the deadline: a long upload is not too slow", async () => {
  const rig = await startClockedRig();
  const upload = await RawUpload.open(rig.ingest.port, "/cam");
  try {
    for (let i = 1; i <= 4; i++) {
      await upload.accessUnit();
      await until(() => rig.framesAt("/cam") === i, `frame ${i}`);
      rig.clock.advance(5000);
      rig.ingest.sweep();
    }
    assert.equal(await upload.finish(), 204);
    assert.equal(rig.logged("ingest request head too slow; closed").length, 0);
  } finally {
    upload.close();
    await rig.close();
  }
});

serverTest("a device ending its upload cleanly is logged as stopped, with its frames", async () => {
  const rig = await startClockedRig();
  const upload = await RawUpload.open(rig.ingest.port, "/cam");
  try {
    for (let i = 0; i < 3; i++) await upload.accessUnit();
    assert.equal(await upload.finish(), 204);
    const stopped = rig.logged("device stopped publishing; readers stay");
    assert.deepEqual(stopped.map((l) => [l.level, l.fields]), [
      ["info", { path: "/cam", peer: "127.0.0.1", frames: 3 }],
    ]);
    // A device that posts each frame on its own is not stopping after every one.
    assert.deepEqual(await postAccessUnit(rig.base, "/cam"), [204, ""]);
    assert.deepEqual(await postAccessUnit(rig.base, "/cam"), [204, ""]);
    assert.equal(rig.logged("device stopped publishing; readers stay").length, 1);
  } finally {
    upload.close();
    await rig.close();
  }
});

serverTest(
  "a device that vanishes mid-upload is logged as disconnected, with its frames",
  async () => {
    const rig = await startClockedRig();
    const upload = await RawUpload.open(rig.ingest.port, "/cam");
    try {
      await upload.accessUnit();
      await upload.accessUnit();
      await until(() => rig.framesAt("/cam") === 2, "two frames");
      upload.close();
      await until(() => rig.ingest.connections === 0, "the connection to close");
      assert.deepEqual(
        rig.logged("device disconnected mid-upload; readers stay").map((l) => l.fields),
        [
          { path: "/cam", peer: "127.0.0.1", frames: 2 },
        ],
      );
      assert.equal(rig.logged("device stopped publishing; readers stay").length, 0);
    } finally {
      await rig.close();
    }
  },
);

serverTest(
  "a connection past the per-address cap is refused, logged with peer and reason",
  async () => {
    const rig = await startClockedRig(POLICY, { maxConnectionsPerIp: 1 });
    const first = await RawUpload.open(rig.ingest.port, "/cam");
    try {
      await until(() => rig.ingest.connections === 1, "the first connection");
      // Refused at accept: nothing is read, so the test writes nothing that could meet a reset.
      const second = await Deno.connect({ hostname: "127.0.0.1", port: rig.ingest.port });
      const closed = await second.read(new Uint8Array(16)).catch(() => null);
      assert.equal(closed, null, "closed at once");
      second.close();
      assert.deepEqual(rig.logged("ingest connection refused").map((l) => [l.level, l.fields]), [
        ["warn", { peer: "127.0.0.1", reason: "too many connections from this address" }],
      ]);
      // The refused one was never counted: once the first leaves, a new one gets in.
      first.close();
      await until(() => rig.ingest.connections === 0, "the first to close");
      assert.deepEqual(await postAccessUnit(rig.base, "/cam"), [204, ""]);
    } finally {
      first.close();
      await rig.close();
    }
  },
);

serverTest(
  "a device posting frame by frame is logged as stopped once no request came for 10 s",
  async () => {
    const rig = await startClockedRig();
    try {
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(await postAccessUnit(rig.base, "/cam"), [204, ""]);
        rig.clock.advance(200);
      }
      assert.equal(rig.logged("device publishing").length, 1, "one device, one line");
      const stream = rig.rtsp.getStream("/cam")!;
      assert.equal(stream.sourceState.state, "live", "between two posts the device is still there");
      rig.clock.advance(10_000 - 200);
      rig.ingest.sweep();
      assert.equal(rig.logged("device stopped publishing; readers stay").length, 0, "not yet");
      rig.clock.advance(1);
      rig.ingest.sweep();
      assert.deepEqual(rig.logged("device stopped publishing; readers stay").map((l) => l.fields), [
        { path: "/cam", peer: "127.0.0.1", frames: 3, idleMs: 10_000 },
      ]);
      // Its stream has no live source now: a new reader is told so instead of given old frames.
      assert.deepEqual(stream.sourceState, {
        state: "gone",
        reason: "device 127.0.0.1 stopped sending frames",
      });
    } finally {
      await rig.close();
    }
  },
);

serverTest("a device back soon after a clean stop is logged as publishing again", async () => {
  const rig = await startClockedRig();
  try {
    for (const frames of [3, 2]) {
      const upload = await RawUpload.open(rig.ingest.port, "/cam");
      for (let i = 0; i < frames; i++) await upload.accessUnit();
      assert.equal(await upload.finish(), 204);
      upload.close();
      rig.clock.advance(1000);
    }
    rig.clock.advance(10_000);
    rig.ingest.sweep();
    const story = rig.lines
      .filter((l) => l.message.startsWith("device "))
      .map((l) => [l.message, l.fields?.frames]);
    assert.deepEqual(story, [
      ["device publishing", undefined],
      ["device stopped publishing; readers stay", 3],
      ["device publishing", undefined],
      ["device stopped publishing; readers stay", 2],
    ]);
  } finally {
    await rig.close();
  }
});
