import assert from "node:assert/strict";
import { AuthError, MAX_AUTH_VALUE, parseAuthorization } from "../../src/auth/authorization.ts";

const FFMPEG =
  'Digest username="alice", realm="rtsp-edge", nonce="00112233445566778899aabbccddeeff", ' +
  'uri="rtsp://127.0.0.1:8554/stream", response="6629fae49393a05397450978507c4ef1", ' +
  'algorithm="MD5", cnonce="3c6a8c3b2f1e4d5a", nc=00000001, qop="auth"';
const GSTREAMER = 'Digest username="alice", realm="rtsp-edge", ' +
  'nonce="00112233445566778899aabbccddeeff", uri="rtsp://127.0.0.1:8554/stream", ' +
  'response="6629fae49393a05397450978507c4ef1"';

Deno.test("parseAuthorization() reads ffmpeg's Digest with quoted algorithm and qop", () => {
  assert.deepEqual(parseAuthorization(FFMPEG), {
    scheme: "digest",
    username: "alice",
    realm: "rtsp-edge",
    nonce: "00112233445566778899aabbccddeeff",
    uri: "rtsp://127.0.0.1:8554/stream",
    response: "6629fae49393a05397450978507c4ef1",
    qop: "auth",
    nc: "00000001",
    cnonce: "3c6a8c3b2f1e4d5a",
  });
});

Deno.test("parseAuthorization() reads GStreamer's Digest without qop, scheme in any case", () => {
  const c = parseAuthorization(GSTREAMER.replace("Digest", "dIgEsT"));
  assert.equal(c.scheme, "digest");
  assert.equal(c.scheme === "digest" && c.qop, undefined);
});

Deno.test("parseAuthorization() unescapes quoted-pairs in a Digest user name", () => {
  const c = parseAuthorization(GSTREAMER.replace('"alice"', '"al\\"ice"'));
  assert.equal(c.scheme === "digest" && c.username, 'al"ice');
});

Deno.test("parseAuthorization() reads Basic user:password, the password may hold colons", () => {
  assert.deepEqual(parseAuthorization(`Basic ${btoa("bob:a:b")}`), {
    scheme: "basic",
    username: "bob",
    password: "a:b",
  });
});

const BAD: [string, string][] = [
  ["a repeated parameter", GSTREAMER + ', realm="other"'],
  ["a repeated parameter in other case", GSTREAMER + ', Nonce="x"'],
  ["an unquoted username", GSTREAMER.replace('username="alice"', "username=alice")],
  ["an unquoted response", GSTREAMER.replace(/response="(\w+)"/, "response=$1")],
  ["a huge value", GSTREAMER.replace('"alice"', `"${"a".repeat(MAX_AUTH_VALUE + 1)}"`)],
  ["an unknown algorithm", GSTREAMER + ", algorithm=SHA-256"],
  ["MD5-sess", GSTREAMER + ", algorithm=MD5-sess"],
  ["qop auth-int", FFMPEG.replace('qop="auth"', "qop=auth-int")],
  ["qop without nc", GSTREAMER + ', qop=auth, cnonce="x"'],
  ["a missing nonce", GSTREAMER.replace(/nonce="\w+", /, "")],
  ["a response that is not 32 hex digits", GSTREAMER.replace(/response="\w+"/, 'response="xyz"')],
  ["an unterminated quote", 'Digest username="alice'],
  ["a control character", GSTREAMER.replace('"alice"', '"al\u0001ice"')],
  ["a parameter without a value", GSTREAMER + ", stale"],
  ["junk between parameters", GSTREAMER.replace(", uri", " uri")],
  ["another scheme", "Bearer abc"],
  ["no scheme", ""],
  ["Basic that is not base64", "Basic !!!!"],
  ["Basic without a colon", `Basic ${btoa("alice")}`],
  ["Basic with a NUL", `Basic ${btoa("alice:a\u0000b")}`],
  ["Basic that is not UTF-8", `Basic ${btoa("alice:\xff\xfe")}`],
];
for (const [what, value] of BAD) {
  Deno.test(`parseAuthorization() refuses ${what} with an AuthError`, () => {
    assert.throws(() => parseAuthorization(value), AuthError);
  });
}

Deno.test("parseAuthorization() never throws anything but AuthError for any prefix of a valid value", () => {
  for (const value of [FFMPEG, GSTREAMER, `Basic ${btoa("alice:secret")}`]) {
    for (let i = 0; i <= value.length; i++) {
      for (const part of [value.slice(0, i), value.slice(i)]) {
        try {
          parseAuthorization(part);
        } catch (error) {
          assert.ok(error instanceof AuthError, `split at ${i}: ${error}`);
        }
      }
    }
  }
});

Deno.test("parseAuthorization() survives seeded random mutations with AuthError or a result", () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ' ",=\\\t\r\nazAZ09:/@\u0000\u00ff\u{1f600}';
  for (let round = 0; round < 5000; round++) {
    const chars = [...(round % 2 ? FFMPEG : GSTREAMER)];
    for (let k = 0, n = 1 + rand(6); k < n; k++) {
      const at = rand(chars.length + 1);
      const op = rand(3);
      const c = alphabet[rand(alphabet.length)];
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, c);
      else chars[at] = c;
    }
    const text = chars.join("");
    try {
      const c = parseAuthorization(text);
      assert.ok(c.scheme === "digest" || c.scheme === "basic");
    } catch (error) {
      assert.ok(error instanceof AuthError, `${JSON.stringify(text)}: ${error}`);
    }
  }
});

Deno.test("AuthError messages never quote the credentials", () => {
  try {
    parseAuthorization(GSTREAMER.replace('"alice"', '"sup3rsecret'));
  } catch (error) {
    assert.ok(!(error as Error).message.includes("sup3rsecret"));
  }
});
