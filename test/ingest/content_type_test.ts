import assert from "node:assert/strict";
import {
  type ContentType,
  IngestFormatError,
  ingestFormatOf,
  parseContentType,
} from "../../src/ingest/content_type.ts";
import { IngestError } from "../../src/ingest/errors.ts";
import { PixelFormat } from "../../src/codec/raw_frame.ts";
import { thrown } from "./_parser_helpers.ts";

function plain(ct: ContentType): { type: string; subtype: string; params: Record<string, string> } {
  return { type: ct.type, subtype: ct.subtype, params: { ...ct.params } };
}

function formatError(fn: () => unknown): IngestFormatError {
  const e = thrown(fn);
  assert.ok(e instanceof IngestFormatError, `expected an IngestFormatError, got ${e}`);
  assert.ok(e instanceof IngestError);
  return e;
}

Deno.test("parseContentType() lower-cases type, subtype and parameter names, not values", () => {
  assert.deepEqual(plain(parseContentType("Multipart/X-Mixed-Replace; BOUNDARY=AbC")), {
    type: "multipart",
    subtype: "x-mixed-replace",
    params: { boundary: "AbC" },
  });
});

Deno.test("parseContentType() reads quoted-string values with escapes", () => {
  const ct = parseContentType('a/b; x="quoted \\"value\\"; with semicolon"; y=token');
  assert.deepEqual(
    ct.params,
    Object.assign(Object.create(null), {
      x: 'quoted "value"; with semicolon',
      y: "token",
    }),
  );
});

Deno.test("parseContentType() allows white space around ';' and empty parameters", () => {
  const ct = parseContentType("  video/x-raw ;format=i420 ;; width=640\t; ");
  assert.deepEqual(plain(ct).params, { format: "i420", width: "640" });
});

Deno.test("parseContentType() rejects text that is not a media type with 400", () => {
  for (
    const text of [
      "",
      "video",
      "video/",
      "/h264",
      "video/h264 x",
      "a/b; x = y",
      "a/b; x=",
      "a/b; =y",
      'a/b; x="open',
      'a/b; x="a\\',
      'a/b; x="a\x01"',
      "a/b c/d",
      "a/b;x=1,y=2",
      "x".repeat(2000) + "/y",
    ]
  ) {
    assert.equal(formatError(() => parseContentType(text)).status, 400, JSON.stringify(text));
  }
});

Deno.test("parseContentType() rejects a parameter given twice", () => {
  const e = formatError(() =>
    parseContentType("multipart/x-mixed-replace; boundary=a; Boundary=b")
  );
  assert.equal(e.status, 400);
  assert.match(e.message, /boundary given twice/);
});

Deno.test("ingestFormatOf() maps video/h264 and image/jpeg, tolerating image/jpg", () => {
  assert.deepEqual(ingestFormatOf("video/h264"), { kind: "h264" });
  assert.deepEqual(ingestFormatOf("Video/H264; profile-level-id=42e01f"), { kind: "h264" });
  assert.deepEqual(ingestFormatOf("image/jpeg"), { kind: "jpeg" });
  assert.deepEqual(ingestFormatOf("image/jpg"), { kind: "jpeg" });
});

Deno.test("ingestFormatOf() takes the ESP32-CAM multipart content type and its boundary", () => {
  assert.deepEqual(
    ingestFormatOf("multipart/x-mixed-replace;boundary=123456789000000000000987654321"),
    { kind: "multipart", boundary: "123456789000000000000987654321" },
  );
  assert.deepEqual(ingestFormatOf('multipart/x-mixed-replace; boundary="my frame"'), {
    kind: "multipart",
    boundary: "my frame",
  });
});

Deno.test("ingestFormatOf() rejects a multipart type without a valid boundary with 400", () => {
  const e = formatError(() => ingestFormatOf("multipart/x-mixed-replace"));
  assert.equal(e.status, 400);
  assert.equal(e.message, "multipart/x-mixed-replace needs a boundary parameter");
  for (const b of ['""', '"ends with space "', "x".repeat(71), '"a\\"b"']) {
    assert.equal(
      formatError(() => ingestFormatOf(`multipart/x-mixed-replace; boundary=${b}`)).status,
      400,
      b,
    );
  }
});

Deno.test("ingestFormatOf() reads video/x-raw format, size and optional framerate", () => {
  assert.deepEqual(ingestFormatOf("video/x-raw;format=i420;width=640;height=480"), {
    kind: "raw",
    format: PixelFormat.I420,
    width: 640,
    height: 480,
  });
  assert.deepEqual(
    ingestFormatOf("video/x-raw; format=RGB565; width=320; height=240; framerate=15"),
    { kind: "raw", format: PixelFormat.RGB565, width: 320, height: 240, framerate: 15 },
  );
  const ntsc = ingestFormatOf("video/x-raw;format=nv12;width=16;height=16;framerate=30000/1001");
  assert.ok(ntsc.kind === "raw" && Math.abs(ntsc.framerate! - 29.97) < 0.01);
  const decimal = ingestFormatOf("video/x-raw;format=gray8;width=16;height=16;framerate=12.5");
  assert.ok(decimal.kind === "raw" && decimal.framerate === 12.5);
});

Deno.test("ingestFormatOf() accepts the protocol's URL-decoded ?type= example", () => {
  const type = new URLSearchParams(
    "type=video%2Fx-raw%3Bformat%3Di420%3Bwidth%3D640%3Bheight%3D480",
  ).get("type")!;
  assert.equal(ingestFormatOf(type).kind, "raw");
});

Deno.test("ingestFormatOf() says video/x-raw needs width and height when one is missing", () => {
  const e = formatError(() => ingestFormatOf("video/x-raw;format=i420;width=640"));
  assert.equal(e.status, 400);
  assert.equal(e.message, "video/x-raw needs width and height");
  assert.match(formatError(() => ingestFormatOf("video/x-raw;width=2;height=2")).message, /format/);
});

Deno.test("ingestFormatOf() rejects bad raw sizes and framerates with 400", () => {
  for (
    const params of [
      "format=i420;width=641;height=480",
      "format=i420;width=8;height=480",
      "format=i420;width=8192;height=480",
      "format=i420;width=-640;height=480",
      "format=i420;width=6.4e2;height=480",
      "format=i420;width=640;height=480;framerate=0",
      "format=i420;width=640;height=480;framerate=1/0",
      "format=i420;width=640;height=480;framerate=fast",
      "format=i420;width=640;height=480;framerate=5000",
    ]
  ) {
    assert.equal(formatError(() => ingestFormatOf(`video/x-raw;${params}`)).status, 400, params);
  }
});

Deno.test("ingestFormatOf() answers 415 to an unknown pixel format, listing the known ones", () => {
  const e = formatError(() => ingestFormatOf("video/x-raw;format=p010;width=640;height=480"));
  assert.equal(e.status, 415);
  assert.match(e.message, /i420, nv12/);
});

Deno.test("ingestFormatOf() answers 415 to an unsupported type, naming the supported ones", () => {
  const e = formatError(() => ingestFormatOf("text/plain; charset=utf-8"));
  assert.equal(e.status, 415);
  assert.equal(
    e.message,
    "unsupported content type text/plain; use video/h264, image/jpeg, " +
      "multipart/x-mixed-replace or video/x-raw",
  );
  assert.equal(formatError(() => ingestFormatOf("  ")).status, 415);
  assert.equal(formatError(() => ingestFormatOf("video/h265")).status, 415);
});

Deno.test("ingestFormatOf() takes an already parsed content type", () => {
  assert.deepEqual(ingestFormatOf(parseContentType("image/jpeg")), { kind: "jpeg" });
});

Deno.test("ingestFormatOf() reads video/h264's framing=chunk and refuses other framings", () => {
  assert.deepEqual(ingestFormatOf("video/h264"), { kind: "h264" });
  assert.deepEqual(ingestFormatOf("video/h264; framing=chunk"), {
    kind: "h264",
    chunkPerAccessUnit: true,
  });
  assert.throws(() => ingestFormatOf("video/h264; framing=nal"), {
    name: "IngestFormatError",
    status: 400,
  });
});
