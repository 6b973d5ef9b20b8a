import assert from "node:assert/strict";
import {
  credentialProblem,
  hashPassword,
  parsePbkdf2Hash,
  userHa1,
  verifyPassword,
} from "../../src/auth/credentials.ts";
import { digestHa1 } from "../../src/auth/digest.ts";

Deno.test("hashPassword() makes a pbkdf2-sha256 string that verifyPassword() checks", async () => {
  const hash = await hashPassword("s3cret", { iterations: 2000 });
  const parsed = parsePbkdf2Hash(hash)!;
  assert.equal(parsed.iterations, 2000);
  assert.equal(parsed.salt.length, 16);
  assert.equal(parsed.hash.length, 32);
  assert.ok(await verifyPassword({ hash }, "alice", "r", "s3cret"));
  assert.ok(!(await verifyPassword({ hash }, "alice", "r", "s3cret ")));
});

Deno.test("hashPassword() salts: the same password gives different strings", async () => {
  const a = await hashPassword("pw", { iterations: 1000 });
  const b = await hashPassword("pw", { iterations: 1000 });
  assert.notEqual(a, b);
});

Deno.test("verifyPassword() checks Basic passwords against a plain password and an ha1", async () => {
  const ha1 = digestHa1("alice", "rtsp-edge", "pw");
  assert.ok(await verifyPassword({ password: "pw" }, "alice", "rtsp-edge", "pw"));
  assert.ok(!(await verifyPassword({ password: "pw" }, "alice", "rtsp-edge", "pW")));
  assert.ok(await verifyPassword({ ha1 }, "alice", "rtsp-edge", "pw"));
  assert.ok(!(await verifyPassword({ ha1 }, "alice", "other-realm", "pw")));
});

Deno.test("userHa1() derives HA1 from a password, takes a stored one, and has none for PBKDF2", () => {
  const ha1 = digestHa1("alice", "r", "pw");
  assert.equal(userHa1({ password: "pw" }, "alice", "r"), ha1);
  assert.equal(userHa1({ ha1: ha1.toUpperCase() }, "alice", "r"), ha1);
  assert.equal(
    userHa1({ hash: "pbkdf2-sha256$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==" }, "a", "r"),
    undefined,
  );
});

Deno.test("credentialProblem() names what is wrong with a stored credential", () => {
  assert.equal(credentialProblem({ password: "x" }), undefined);
  assert.match(credentialProblem({ password: "x", ha1: "y" })!, /exactly one/);
  assert.match(credentialProblem({ ha1: "abc" })!, /32 hex/);
  assert.match(credentialProblem({ hash: "sha1$x" })!, /pbkdf2-sha256/);
  assert.match(credentialProblem("pw")!, /object/);
  assert.match(credentialProblem({ password: "" })!, /empty/);
});

Deno.test("parsePbkdf2Hash() refuses malformed strings", () => {
  for (
    const bad of [
      "",
      "pbkdf2-sha256$0$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==",
      "pbkdf2-sha256$1000$!!$AAAAAAAAAAAAAAAAAAAAAA==",
      "pbkdf2-sha256$1000$AAAA$AAAAAAAAAAAAAAAAAAAAAA==",
      "pbkdf2-sha1$1000$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==",
    ]
  ) assert.equal(parsePbkdf2Hash(bad), undefined, bad);
});
