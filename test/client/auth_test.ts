import assert from "node:assert/strict";
import { Authenticator, parseChallenges } from "../../src/client/auth.ts";

Deno.test("Authenticator gives RFC 2617 §3.5's own Digest response with qop=auth", () => {
  const [challenge] = parseChallenges([
    'Digest realm="testrealm@host.com", qop="auth,auth-int", ' +
    'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  ]);
  const auth = new Authenticator(
    { username: "Mufasa", password: "Circle Of Life" },
    challenge,
    () => "0a4f113b",
  );
  const header = auth.header("GET", "/dir/index.html");
  assert.match(header, /response="6629fae49393a05397450978507c4ef1"/);
  assert.match(header, /qop=auth, nc=00000001, cnonce="0a4f113b"/);
  assert.match(header, /opaque="5ccc069c403ebaf9f0171e9517f40e41"/);
  assert.match(auth.header("GET", "/dir/index.html"), /nc=00000002/);
});

Deno.test("parseChallenges() prefers Digest MD5, skips SHA-256-only and unknown schemes", () => {
  const list = parseChallenges([
    "NTLM",
    'Digest realm="r", nonce="a", algorithm=SHA-256',
    'Basic realm="r"',
    'Digest realm="r", nonce="b", algorithm=MD5',
  ]);
  assert.deepEqual(list.map((c) => [c.scheme, c.params.get("nonce")]), [
    ["digest", "b"],
    ["basic", undefined],
  ]);
});

Deno.test("Basic is base64 of user:password in UTF-8 (RFC 7617 §2)", () => {
  const [challenge] = parseChallenges(['Basic realm="cam"']);
  const auth = new Authenticator({ username: "Aladdin", password: "open sesame" }, challenge);
  assert.equal(auth.header("DESCRIBE", "rtsp://x/"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
});
