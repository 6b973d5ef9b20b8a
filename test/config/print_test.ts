/**
 * `printConfig` against the checker: what it prints reads back to the same model, and printing
 * that again gives the same text; a secret written in the file is masked, and the mask is refused.
 */

import assert from "node:assert/strict";
import { parse } from "yaml";
import { checkConfig, SECRET_MASK } from "../../src/config/check.ts";
import { type Environment, substituteEnvironment } from "../../src/config/environment.ts";
import { ConfigError } from "../../src/config/json_with_positions.ts";
import type { Config } from "../../src/config/model.ts";
import { PRINT_HEADER, printConfig } from "../../src/config/print.ts";
import { SCHEMA_ID } from "../../src/config/schema.ts";
import { currentNames, TOP_SETTINGS } from "../../src/config/settings.ts";
import { parseYamlWithPositions } from "../../src/config/yaml_with_positions.ts";

const ENV: Environment = {
  ALICE_PASSWORD: "wonder land",
  BOB_HA1: "0123456789abcdef0123456789abcdef",
  CAROL_HASH: "pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==",
  CAM_TOKEN: "abc.def-123",
  GATE_TOKEN: "tok~en/+==",
  DEVICE: "/dev/video2",
  PREFIX: "pre",
};

/** Reads YAML text as the program does: parse, substitute the environment, check. */
function load(text: string, env: Environment = ENV) {
  const parsed = parseYamlWithPositions(text, "rtsp-edge.yml");
  const { doc, templates } = substituteEnvironment(parsed, env, "rtsp-edge.yml");
  return { config: checkConfig({ ...doc, file: "rtsp-edge.yml" }).config, templates };
}

/** Prints `text`'s model, reads the print back and prints again; returns the first print. */
function roundTrip(text: string): { printed: string; config: Config } {
  const first = load(text);
  const printed = printConfig(first.config, first.templates);
  const second = load(printed);
  assert.deepEqual(second.config, first.config, printed);
  assert.equal(printConfig(second.config, second.templates), printed);
  return { printed, config: first.config };
}

const EVERY_SOURCE = `
paths:
  cam1:
    source: camera
    device: /dev/video0
    size: 640x480
    fps: 15
    format: MJPEG
    bitrate: 1.5M
    gop: 25
    onDemand: true
    onDemandCloseAfter: 1m30s
  cam2:
    source: camera
    device: \${DEVICE}
  raw:
    source: file
    input: clip.yuv
    format: nv12
    size: 320X240
    fps: 12.5
    onDemand: true
    onDemandCloseAfter: 2.5
  movie:
    source: file
    input: /media/movie.h264
  stdin:
    source: file
    input: "-"
  garden/bars:
    source: test-pattern
    fps: 29.97
    bitrate: 500k
    onDemand: false
  /esp32cam:
    source: ingest
    token: \${CAM_TOKEN}
    jpeg: rtp-jpeg
    replace: true
    maxFrameBytes: 1048576
  plain:
    source: ingest
  studio:
    source: publish
    replace: true
  all_others:
    source: ingest
`;

const AUTH_SECTION = `
auth:
  users:
    alice:
      password: \${ALICE_PASSWORD}
    bob:
      ha1: \${BOB_HA1}
    carol:
      hash: \${CAROL_HASH}
    "d \${ave}":
      password: "\${PREFIX}-\${ALICE_PASSWORD}"
  realm: "the $\${realm}"
  methods: [digest, basic]
  allowBasicWithoutTls: true
  metricsOpenTo: [10.0.0.0/8]
  read: [alice, bob]
  publish: anyone
  allow: ["192.168.0.0/16", "::1/128"]
`;

const AUTH = AUTH_SECTION + `
paths:
  cam1:
    source: test-pattern
    read: anyone
    publish: [carol]
    allow: ["10.0.0.0/8"]
  /gate:
    source: ingest
    token: \${GATE_TOKEN}
    read: ["d $\${ave}"]
  all_others:
    source: publisher
  open:
    source: publisher
    publish: [alice]
`;

const TLS_AND_LIMITS = `
rtspPort: 554
bind: "::"
rtpPort: 6970
payloadSize: 1200
logLevel: debug
httpPort: 80
tls:
  port: 322
  cert: /etc/rtsp-edge/cert.pem
  key: "yes"
limits:
  maxConnections: 10
  maxConnectionsPerIp: 2
  maxSessions: 9
  maxSessionsPerIp: 3
  headerTimeout: 1500ms
  sessionTimeout: 1h2m3s4ms
  queueBytes: 65536
`;

Deno.test("printConfig() reads back to the same model, and is a fixed point", () => {
  for (const text of ["{}", "rtspPort: 8554", EVERY_SOURCE, AUTH, TLS_AND_LIMITS]) roundTrip(text);
});

Deno.test("printConfig() starts with what it is and the schema for editors", () => {
  const { printed } = roundTrip("{}");
  assert.ok(printed.startsWith(PRINT_HEADER));
  assert.deepEqual(printed.split("\n").slice(0, 2), [
    "# rtsp-edge effective configuration (--print-config)",
    `# yaml-language-server: $schema=${SCHEMA_ID}`,
  ]);
});

Deno.test("printConfig() writes settings as the file does, in the table's order", () => {
  const { printed } = roundTrip(EVERY_SOURCE + TLS_AND_LIMITS + AUTH_SECTION);
  const file = parse(printed);
  const order = currentNames(TOP_SETTINGS);
  assert.deepEqual(Object.keys(file), order);
  assert.deepEqual(Object.keys(file.paths), [
    "cam1",
    "cam2",
    "raw",
    "movie",
    "stdin",
    "garden/bars",
    "esp32cam",
    "plain",
    "studio",
    "all_others",
  ]);
  assert.deepEqual(file.paths.cam1, {
    source: "camera",
    device: "/dev/video0",
    size: "640x480",
    fps: 15,
    format: "mjpeg",
    bitrate: 1_500_000,
    gop: 25,
    onDemand: true,
    onDemandCloseAfter: "1m30s",
  });
  assert.equal(file.paths.cam2.device, "/dev/video2", "the effective value, not the template");
  assert.equal(file.paths.cam2.onDemandCloseAfter, undefined, "goes with onDemand: true");
  assert.equal(file.paths.raw.size, "320x240");
  assert.equal(file.paths.raw.onDemandCloseAfter, "2s500ms");
  assert.equal(file.paths.movie.size, undefined, "absent stays absent");
  assert.equal(file.paths.esp32cam.token, "${CAM_TOKEN}");
  assert.equal(file.paths.plain.token, undefined);
  assert.equal(file.paths.studio.source, "publisher");
  assert.equal(file.limits.headerTimeout, "1s500ms");
  assert.equal(file.limits.sessionTimeout, "1h2m3s4ms");
  assert.equal(file.tls.key, "yes");
});

Deno.test("printConfig() writes each path's access rules in the path's entry", () => {
  const { printed, config } = roundTrip(AUTH);
  assert.deepEqual(Object.keys(config.auth!.paths), ["/cam1", "/gate", "/open"]);
  const file = parse(printed);
  assert.deepEqual(Object.keys(file.auth), [
    "users",
    "realm",
    "methods",
    "allowBasicWithoutTls",
    "metricsOpenTo",
    "read",
    "publish",
    "allow",
  ]);
  assert.deepEqual(file.paths.cam1, {
    source: "test-pattern",
    size: "1280x720",
    fps: 30,
    bitrate: 2_000_000,
    gop: 30,
    onDemand: false,
    read: "anyone",
    publish: ["carol"],
    allow: ["10.0.0.0/8"],
  });
  assert.deepEqual(file.paths.all_others, { source: "publisher", replace: false });
  assert.deepEqual(file.paths.open, { source: "publisher", replace: false, publish: ["alice"] });
  assert.equal(file.auth.realm, "the $${realm}", "a literal ${ stays literal when read back");
  assert.equal(config.auth!.realm, "the ${realm}");
  assert.deepEqual(file.paths.gate.read, ["d $${ave}"]);
});

Deno.test("printConfig() prints a secret from the environment as its ${NAME}", () => {
  const { printed } = roundTrip(AUTH);
  const file = parse(printed);
  assert.deepEqual(file.auth.users, {
    alice: { password: "${ALICE_PASSWORD}" },
    bob: { ha1: "${BOB_HA1}" },
    carol: { hash: "${CAROL_HASH}" },
    "d ${ave}": { password: "${PREFIX}-${ALICE_PASSWORD}" },
  });
  assert.equal(file.paths.gate.token, "${GATE_TOKEN}", "found under /paths/~1gate/token");
  assert.doesNotMatch(printed, /wonder land|0123456789abcdef|c2FsdHNhbHQ|abc\.def|tok~en/);
});

Deno.test("printConfig() masks a secret written in the file, and the checker refuses the mask", () => {
  const written = `
auth:
  users:
    alice: { password: wonderland }
    bob: { ha1: 0123456789abcdef0123456789abcdef }
paths:
  cam1:
    source: ingest
    token: abc.def-123
`;
  const { config, templates } = load(written);
  const printed = printConfig(config, templates);
  const file = parse(printed);
  assert.deepEqual(file.auth.users, {
    alice: { password: SECRET_MASK },
    bob: { ha1: SECRET_MASK },
  });
  assert.equal(file.paths.cam1.token, SECRET_MASK);
  assert.doesNotMatch(printed, /wonderland|0123456789abcdef|abc\.def-123/);
  assert.throws(() => load(printed), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(
      error.message,
      /^rtsp-edge\.yml:\d+:\d+: auth\.users\.alice\.password is the mask --print-config shows in place of a secret; write the secret itself, or \$\{NAME\} to take it from the environment$/,
    );
    return true;
  });
  const tokenOnly = printed.replace(/^auth:\n(?: .*\n)*/m, "");
  assert.throws(() => load(tokenOnly), /paths\.cam1\.token is the mask --print-config shows/);
});

Deno.test("printConfig() writes a relayed camera's URL as its source, its password hidden", () => {
  const { printed } = roundTrip(`
paths:
  doorbell:
    source: rtsp://admin:\${DEVICE}@192.168.1.20:554/stream1
    rtspTransport: tcp
    push:
      - rtsp://central:8554/doorbell
  esp32:
    source: http://192.168.1.30:81/stream
`);
  assert.match(printed, /^ {4}source: rtsp:\/\/admin:\$\{DEVICE\}@192\.168\.1\.20:554\/stream1$/m);
  assert.match(printed, /^ {4}source: http:\/\/192\.168\.1\.30:81\/stream$/m);
  assert.match(printed, /^ {6}- rtsp:\/\/central:8554\/doorbell$/m);
  const literal = load(
    "paths:\n  cam:\n    source: rtsp://admin:s3cret@cam/live\n" +
      "    push: [rtsp://u:pw@central/cam]\n",
  );
  const masked = printConfig(literal.config, literal.templates);
  assert.ok(!masked.includes("s3cret") && !masked.includes(":pw@"), masked);
  assert.match(masked, /source: rtsp:\/\/admin:\*{8}@cam\/live/);
  assert.throws(() => load(masked), /holds the mask --print-config shows in place of a password/);
});
