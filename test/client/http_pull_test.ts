import assert from "node:assert/strict";
import { concat } from "../support/bytes.ts";
import { digestHa1, verifyDigest } from "../../src/auth/digest.ts";
import { parseAuthorization } from "../../src/auth/authorization.ts";
import { HttpPullError, pullHttp } from "../../src/client/http_pull.ts";
import { type FakeHandler, FakeHttpCamera, fakeJpeg, part } from "../support/fake_http_camera.ts";

const MULTIPART = "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\n";

/** What a sink heard. */
class Recorder {
  frames: { jpeg: Uint8Array; ts: number }[] = [];
  ends: (Error | undefined)[] = [];
  #waiters: (() => void)[] = [];
  jpeg = (jpeg: Uint8Array, ts: number) => {
    this.frames.push({ jpeg: jpeg.slice(), ts });
    this.#wake();
  };
  closed = (error: Error | undefined) => {
    this.ends.push(error);
    this.#wake();
  };
  #wake() {
    for (const w of this.#waiters.splice(0)) w();
  }
  /** Waits until `test` holds (or 3 s pass). */
  async until(test: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 3000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }
}

async function withCamera(
  handler: FakeHandler,
  fn: (camera: FakeHttpCamera) => Promise<void>,
): Promise<void> {
  const camera = await FakeHttpCamera.start(handler);
  try {
    await fn(camera);
  } finally {
    await camera.close();
  }
}

const JPEGS = [fakeJpeg(1), fakeJpeg(2, 300), fakeJpeg(3, 70)];
// Without Content-Length a part's bytes must not hold its delimiter.
const PLAIN = [fakeJpeg(1, 40, true), fakeJpeg(2, 300, true)];

Deno.test("pullHttp() takes an ESP32 CameraWebServer stream: JPEGs with their X-Timestamps", async () => {
  await withCamera((_, reply) => {
    // The firmware's exact shape: no Content-Length on the response, \r\n--boundary before each part.
    reply.write(
      "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=" +
        "123456789000000000000987654321\r\nAccess-Control-Allow-Origin: *\r\nX-Framerate: 60\r\n\r\n",
    );
    JPEGS.forEach((jpeg, i) =>
      reply.write(part("123456789000000000000987654321", jpeg, { timestamp: `1234.00000${i}` }))
    );
  }, async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/stream") }, sink);
    await sink.until(() => sink.frames.length === 3, "three frames");
    assert.deepEqual(sink.frames.map((f) => f.jpeg), JPEGS);
    assert.deepEqual(sink.frames.map((f) => f.ts), [1_234_000_000, 1_234_000_001, 1_234_000_002]);
    assert.equal(camera.requests[0].target, "/stream");
    assert.equal(camera.requests[0].headers.host, `127.0.0.1:${camera.port}`);
    await session.close();
    assert.deepEqual(sink.ends, [undefined]);
  });
});

Deno.test("pullHttp() takes parts without Content-Length, stamped on the monotonic clock", async () => {
  await withCamera((_, reply) => {
    reply.write(`${MULTIPART}\r\n`);
    for (const jpeg of PLAIN) reply.write(part("frame", jpeg, { contentLength: false }));
    reply.write("\r\n--frame--\r\n");
    reply.end();
  }, async (camera) => {
    const sink = new Recorder();
    const before = performance.now() * 1000;
    await pullHttp({ url: camera.url("/stream") }, sink);
    await sink.until(() => sink.ends.length === 1, "the end");
    assert.deepEqual(sink.frames.map((f) => f.jpeg), PLAIN);
    for (const f of sink.frames) assert.ok(f.ts >= before && f.ts <= performance.now() * 1000);
    assert.deepEqual(sink.ends, [undefined], "the camera ended the stream cleanly");
  });
});

Deno.test("pullHttp() reads a chunked stream whose chunks cut across parts", async () => {
  const body = concat(...JPEGS.map((j) => part("frame", j)));
  await withCamera(async (_, reply) => {
    reply.write(`${MULTIPART}Transfer-Encoding: chunked\r\n\r\n`);
    for (let at = 0; at < body.length; at += 37) {
      const piece = body.subarray(at, at + 37);
      reply.write(`${piece.length.toString(16)};ext=1\r\n`);
      reply.write(piece);
      reply.write("\r\n");
      await new Promise((r) => setTimeout(r, 1));
    }
    reply.write("0\r\nX-Trailer: 1\r\n\r\n");
  }, async (camera) => {
    const sink = new Recorder();
    await pullHttp({ url: camera.url("/stream") }, sink);
    await sink.until(() => sink.ends.length === 1, "the end");
    assert.deepEqual(sink.frames.map((f) => f.jpeg), JPEGS);
    assert.deepEqual(sink.ends, [undefined]);
  });
});

Deno.test("pullHttp() takes a quoted boundary, and one announced with its leading dashes", async () => {
  for (
    const [type, delimiter] of [
      ['multipart/x-mixed-replace; boundary="my frame"', "my frame"],
      ["multipart/x-mixed-replace; boundary=--myboundary", "myboundary"], // the quirk
      ["multipart/x-mixed-replace; boundary=--myboundary", "--myboundary"], // RFC 2046
    ]
  ) {
    await withCamera((_, reply) => {
      reply.write(`HTTP/1.0 200 OK\r\nContent-Type: ${type}\r\n\r\n`);
      for (const jpeg of JPEGS) reply.write(part(delimiter, jpeg));
    }, async (camera) => {
      const sink = new Recorder();
      const session = await pullHttp({ url: camera.url("/") }, sink);
      await sink.until(() => sink.frames.length === 3, `three frames (${delimiter})`);
      assert.deepEqual(sink.frames.map((f) => f.jpeg), JPEGS);
      await session.close();
    });
  }
});

/** A camera that wants Digest (qop=auth) from alice:s3cret before it streams. */
function digestCamera(): FakeHandler {
  return (request, reply) => {
    const header = request.headers.authorization;
    if (header?.startsWith("Digest ")) {
      const c = parseAuthorization(header);
      if (
        c.scheme === "digest" && c.realm === "cam" && c.nonce === "n0nce" &&
        c.uri === request.target && verifyDigest(c, digestHa1("alice", "cam", "s3cret"), "GET")
      ) {
        reply.write(`${MULTIPART}\r\n`);
        reply.write(part("frame", JPEGS[0]));
        return;
      }
    }
    reply.write(
      'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Digest realm="cam", qop="auth", ' +
        'nonce="n0nce", opaque="xyz", algorithm=MD5\r\nWWW-Authenticate: Basic realm="cam"\r\n' +
        "Content-Length: 12\r\n\r\nUnauthorized",
    );
  };
}

Deno.test("pullHttp() answers a 401 with Digest from the URL's credentials", async () => {
  await withCamera(digestCamera(), async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/stream?q=1", "alice:s3cret") }, sink);
    await sink.until(() => sink.frames.length === 1, "a frame");
    assert.equal(camera.requests.length, 2);
    assert.equal(camera.requests[0].headers.authorization, undefined);
    assert.match(camera.requests[1].headers.authorization, /^Digest .*qop=auth, nc=00000001/);
    await session.close();
  });
});

Deno.test("pullHttp() says 'wrong user or password' after one answered 401, and never shows it", async () => {
  await withCamera(digestCamera(), async (camera) => {
    const error = await pullHttp(
      { url: camera.url("/stream", "alice:wr%40ng") },
      new Recorder(),
    ).catch((e) => e);
    assert.ok(error instanceof HttpPullError);
    assert.equal(
      error.message,
      `http://127.0.0.1:${camera.port}/stream: 401 Unauthorized: wrong user or password`,
    );
    assert.equal(camera.requests.length, 2, "the 401 is answered once");
    const none = await pullHttp({ url: camera.url("/stream") }, new Recorder()).catch((e) => e);
    assert.match(none.message, /401 Unauthorized: the camera wants a user and password/);
  });
});

Deno.test("pullHttp() sends Basic credentials, percent-decoded, when the camera asks for Basic", async () => {
  await withCamera((request, reply) => {
    if (request.headers.authorization === `Basic ${btoa("admin:p@ss:w")}`) {
      reply.write(`${MULTIPART}\r\n`);
      reply.write(part("frame", JPEGS[1]));
    } else {
      reply.write('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n');
      reply.end();
    }
  }, async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/stream", "admin:p%40ss%3Aw") }, sink);
    await sink.until(() => sink.frames.length === 1, "a frame");
    assert.deepEqual(sink.frames[0].jpeg, JPEGS[1]);
    await session.close();
  });
});

Deno.test("pullHttp() follows up to three redirects in the same scheme, and no more", async () => {
  await withCamera((request, reply) => {
    const hop = Number(request.target.slice(1));
    if (request.target === "/cross") {
      reply.write(
        "HTTP/1.1 302 Found\r\nLocation: https://elsewhere/\r\nContent-Length: 0\r\n\r\n",
      );
    } else if (hop < 9) {
      reply.write(`HTTP/1.1 302 Found\r\nLocation: /${hop + 1}\r\nContent-Length: 0\r\n\r\n`);
    } else {
      reply.write(`${MULTIPART}\r\n`);
      reply.write(part("frame", JPEGS[2]));
    }
  }, async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/6") }, sink);
    await sink.until(() => sink.frames.length === 1, "a frame");
    assert.deepEqual(camera.requests.map((r) => r.target), ["/6", "/7", "/8", "/9"]);
    await session.close();
    const far = await pullHttp({ url: camera.url("/1") }, new Recorder()).catch((e) => e);
    assert.match(far.message, /\/4: 302 Found: more than 3 redirects$/);
    const cross = await pullHttp({ url: camera.url("/cross") }, new Recorder()).catch((e) => e);
    assert.match(cross.message, /a redirect to https:\/\/elsewhere\/ changes the scheme/);
  });
});

Deno.test("pullHttp() gives up on a camera that accepts and never answers", async () => {
  await withCamera(() => {}, async (camera) => {
    const started = performance.now();
    const error = await pullHttp({ url: camera.url("/stream"), timeoutMs: 150 }, new Recorder())
      .catch((e) => e);
    assert.ok(error instanceof HttpPullError);
    assert.equal(error.message, `${camera.url("/stream")}: no response for 150 ms`);
    assert.ok(performance.now() - started < 2000);
  });
});

Deno.test("pullHttp() ends a stream that goes silent after its head, once", async () => {
  await withCamera((_, reply) => {
    reply.write(`${MULTIPART}\r\n`);
    reply.write(part("frame", JPEGS[0]));
  }, async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/stream"), timeoutMs: 150 }, sink);
    await sink.until(() => sink.ends.length === 1, "the end");
    assert.match(sink.ends[0]!.message, /: no data for 150 ms$/);
    await session.close();
    assert.equal(sink.ends.length, 1);
  });
});

Deno.test("pullHttp() reports a connection dropped inside a picture once, as an error", async () => {
  await withCamera((_, reply) => {
    reply.write(`${MULTIPART}\r\n`);
    reply.write(part("frame", JPEGS[0]));
    reply.write(part("frame", JPEGS[1]).subarray(0, 120));
    setTimeout(() => reply.destroy(), 30);
  }, async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/stream") }, sink);
    await sink.until(() => sink.ends.length === 1, "the end");
    assert.equal(sink.frames.length, 1);
    assert.ok(sink.ends[0] instanceof HttpPullError);
    assert.match(sink.ends[0].message, /closed inside a picture/);
    await session.close();
    assert.equal(sink.ends.length, 1);
  });
});

Deno.test("pullHttp() refuses garbage, a head without end, a non-multipart body and a huge part", async () => {
  const cases: [string, (reply: Parameters<FakeHandler>[1]) => void, RegExp][] = [
    [
      "garbage",
      (r) => r.write("\x16\x03\x01garbage garbage\r\n\r\n"),
      /: not an HTTP\/1\.x response: it starts "\\x16\\x03\\x01garbage garba"$/,
    ],
    ["endless header", (r) => {
      r.write("HTTP/1.1 200 OK\r\nX-A: ");
      r.write("a".repeat(20_000));
    }, /head is longer than 16384 bytes/],
    ["html", (r) => {
      r.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>");
    }, /not an MJPEG stream \(Content-Type "text\/html"; expected multipart/],
    ["still", (r) => {
      r.write(
        "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 4\r\n\r\n\xff\xd8\xff\xd9",
      );
    }, /a single picture \(image\/jpeg\), not a stream; poll it/],
    [
      "404",
      (r) => r.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
      /: 404 Not Found$/,
    ],
  ];
  for (const [name, write, expected] of cases) {
    await withCamera((_, reply) => write(reply), async (camera) => {
      const error = await pullHttp({ url: camera.url("/s") }, new Recorder()).catch((e) => e);
      assert.ok(error instanceof HttpPullError, name);
      assert.match(error.message, expected, `${name}: ${error.message}`);
    });
  }
  // After a good head: a multipart body that never delimits, and a part above the cap.
  const bodies: [string, Uint8Array, RegExp][] = [
    ["no delimiter", new Uint8Array(100_000).fill(0x41), /no multipart delimiter within 65536/],
    [
      "huge part",
      part("frame", fakeJpeg(1, 5000)),
      /a part of 5000 bytes is above the 4096-byte cap/,
    ],
  ];
  for (const [name, body, expected] of bodies) {
    await withCamera((_, reply) => {
      reply.write(`${MULTIPART}\r\n`);
      reply.write(body);
    }, async (camera) => {
      const sink = new Recorder();
      await pullHttp({ url: camera.url("/s"), maxFrameBytes: 4096 }, sink);
      await sink.until(() => sink.ends.length === 1, name);
      assert.match(sink.ends[0]!.message, expected, name);
      assert.equal(sink.frames.length, 0);
    });
  }
});

Deno.test("pullHttp() polls a still URL, one GET per picture", async () => {
  let n = 0;
  await withCamera((_, reply) => {
    const jpeg = fakeJpeg(n++);
    reply.write(
      `HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`,
    );
    reply.write(jpeg);
  }, async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/capture"), poll: { fps: 20 } }, sink);
    assert.equal(sink.frames.length, 1, "resolved with the first picture");
    await sink.until(() => sink.frames.length >= 4, "four pictures");
    await session.close();
    assert.deepEqual(sink.frames.slice(0, 4).map((f) => f.jpeg[4]), [0, 1, 2, 3]);
    assert.ok(camera.requests.every((r) => r.target === "/capture"));
    assert.deepEqual(sink.ends, [undefined]);
  });
});

Deno.test("pullHttp() never has two stills in flight: a slow camera skips ticks", async () => {
  let open = 0;
  let most = 0;
  await withCamera(async (_, reply) => {
    most = Math.max(most, ++open);
    await new Promise((r) => setTimeout(r, 120)); // six 50 ms ticks' worth... and a half
    const jpeg = fakeJpeg(1);
    reply.write(`HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n`);
    reply.write(jpeg);
    open--;
    reply.end();
  }, async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/capture"), poll: { fps: 20 } }, sink);
    await new Promise((r) => setTimeout(r, 600));
    await session.close();
    assert.equal(most, 1, "one request at a time");
    // 600 ms at 120 ms each: at most six, not the twelve ticks of 20 fps.
    assert.ok(
      camera.requests.length >= 3 && camera.requests.length <= 7,
      `${camera.requests.length}`,
    );
    assert.deepEqual(sink.ends, [undefined]);
  });
});

Deno.test("pullHttp() says so when a still URL answers with something else than a JPEG", async () => {
  await withCamera((_, reply) => {
    reply.write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\n\r\n<html>");
  }, async (camera) => {
    const error = await pullHttp({ url: camera.url("/capture"), poll: { fps: 1 } }, new Recorder())
      .catch((e) => e);
    assert.ok(error instanceof HttpPullError);
    assert.equal(
      error.message,
      `${camera.url("/capture")}: not a JPEG picture (Content-Type text/html, 6 bytes starting ` +
        "3c 68 74 6d)",
    );
  });
});

Deno.test("pullHttp() checks its options up front", async () => {
  const sink = new Recorder();
  await assert.rejects(pullHttp({ url: "rtsp://cam/x" }, sink), TypeError);
  await assert.rejects(pullHttp({ url: "not a url" }, sink), TypeError);
  await assert.rejects(pullHttp({ url: "http://cam/", poll: { fps: 0 } }, sink), RangeError);
  await assert.rejects(pullHttp({ url: "http://cam/", timeoutMs: -1 }, sink), RangeError);
  const error = await pullHttp({ url: "ftp://u:secret@cam/" }, sink).catch((e) => e);
  assert.ok(!error.message.includes("secret"));
});

Deno.test("pullHttp() finds the boundary in the body when the Content-Type has none (ffmpeg)", async () => {
  await withCamera((_, reply) => {
    // ffmpeg -f mpjpeg -listen 1 http://… answers application/octet-stream, chunked.
    const body = concat(...JPEGS.map((j) => part("ffmpeg", j)).map((p) => p.subarray(2)));
    reply.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n");
    reply.write(`Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`);
    reply.write(body);
    reply.write("\r\n");
  }, async (camera) => {
    const sink = new Recorder();
    const session = await pullHttp({ url: camera.url("/stream") }, sink);
    await sink.until(() => sink.frames.length === 3, "three frames");
    assert.deepEqual(sink.frames.map((f) => f.jpeg), JPEGS);
    await session.close();
  });
});
