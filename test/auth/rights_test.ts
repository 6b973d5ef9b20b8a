import assert from "node:assert/strict";
import { decide, resolveAccess } from "../../src/auth/rights.ts";

const USERS = { alice: { password: "a" }, bob: { password: "b" } };
const FACTS = { action: "read" as const, ip: "192.168.1.5", secure: false };

Deno.test("decide() allows anyone where the list is anyone, with or without a user", () => {
  const rule = resolveAccess({ users: USERS, read: "anyone" }).ruleFor("/cam");
  assert.deepEqual(decide(rule, FACTS), { kind: "allow" });
  assert.deepEqual(decide(rule, { ...FACTS, user: "bob" }), { kind: "allow" });
});

Deno.test("decide() allows a listed user and challenges the rest, an unlisted user included", () => {
  const rule = resolveAccess({ users: USERS, read: ["alice"] }).ruleFor("/cam");
  assert.deepEqual(decide(rule, { ...FACTS, user: "alice" }), { kind: "allow" });
  assert.deepEqual(decide(rule, FACTS), { kind: "challenge", methods: ["digest"] });
  assert.deepEqual(decide(rule, { ...FACTS, user: "bob" }), {
    kind: "challenge",
    methods: ["digest"],
  });
});

Deno.test("decide() keeps read and publish rights apart", () => {
  const rule = resolveAccess({ users: USERS, read: "anyone", publish: ["bob"] }).ruleFor("/cam");
  assert.deepEqual(decide(rule, FACTS), { kind: "allow" });
  assert.equal(decide(rule, { ...FACTS, action: "publish" }).kind, "challenge");
  assert.equal(decide(rule, { ...FACTS, action: "publish", user: "alice" }).kind, "challenge");
  assert.equal(decide(rule, { ...FACTS, action: "publish", user: "bob" }).kind, "allow");
});

Deno.test("decide() forbids an address outside the allow-list, even for anyone", () => {
  const rule = resolveAccess({ users: USERS, read: "anyone", allow: ["192.168.1.0/24", "::1/128"] })
    .ruleFor("/cam");
  assert.equal(decide(rule, FACTS).kind, "allow");
  assert.equal(decide(rule, { ...FACTS, ip: "::1" }).kind, "allow");
  assert.equal(decide(rule, { ...FACTS, ip: "::ffff:192.168.1.77" }).kind, "allow");
  assert.deepEqual(decide(rule, { ...FACTS, ip: "10.0.0.1" }), { kind: "forbid" });
  assert.deepEqual(decide(rule, { ...FACTS, ip: "10.0.0.1", user: "alice" }), { kind: "forbid" });
});

Deno.test("decide() offers Basic only over TLS unless allowBasicWithoutTls", () => {
  const both = resolveAccess({ users: USERS, methods: ["digest", "basic"] }).ruleFor("/x");
  assert.deepEqual(decide(both, FACTS), { kind: "challenge", methods: ["digest"] });
  assert.deepEqual(decide(both, { ...FACTS, secure: true }), {
    kind: "challenge",
    methods: ["digest", "basic"],
  });
  const basic = resolveAccess({ users: USERS, methods: ["basic"] }).ruleFor("/x");
  assert.deepEqual(decide(basic, FACTS), { kind: "forbid" }, "no scheme left to offer");
  const allowed = resolveAccess({ users: USERS, methods: ["basic"], allowBasicWithoutTls: true })
    .ruleFor("/x");
  assert.deepEqual(decide(allowed, FACTS), { kind: "challenge", methods: ["basic"] });
});

Deno.test("resolveAccess() gives paths their own rules over the default, sub-paths included", () => {
  const access = resolveAccess({
    users: USERS,
    read: ["alice"],
    paths: { "/lobby": { read: "anyone" }, "/cam": { read: ["bob"], allow: ["10.0.0.0/8"] } },
  });
  assert.equal(decide(access.ruleFor("/lobby"), FACTS).kind, "allow");
  assert.equal(decide(access.ruleFor("/lobbyx"), FACTS).kind, "challenge");
  assert.equal(
    decide(access.ruleFor("/cam/streamid=0"), { ...FACTS, ip: "10.1.1.1", user: "bob" }).kind,
    "allow",
  );
  assert.equal(decide(access.ruleFor("/cam"), { ...FACTS, user: "bob" }).kind, "forbid");
  assert.equal(decide(access.ruleFor(undefined), { ...FACTS, user: "alice" }).kind, "allow");
  assert.equal(access.ruleFor("/cam").publish.length, 2, "publish defaults to every user");
});

Deno.test("resolveAccess() names the setting that is wrong", () => {
  const bad: [unknown, RegExp][] = [
    [{ users: { "a:b": { password: "x" } } }, /user name/],
    [{ users: { a: { password: "x", ha1: "y" } } }, /access\.users\.a must have exactly one/],
    [{ users: USERS, read: ["carol"] }, /access\.read names "carol"/],
    [{ users: USERS, allow: ["300.1.1.1/8"] }, /access\.allow/],
    [{ users: USERS, methods: ["ntlm"] }, /access\.methods/],
    [{ users: USERS, methods: [] }, /access\.methods/],
    [{ users: USERS, realm: 'a"b' }, /access\.realm/],
    [{ users: USERS, paths: { "/x": { publish: "everyone" } } }, /publish must be "anyone"/],
    [{ users: USERS, failureDelayMs: [5, 1] }, /failureDelayMs/],
  ];
  for (const [rules, message] of bad) {
    assert.throws(() => resolveAccess(rules as never), message);
  }
});
