/**
 * The config file's JSON Schema against the checker: the committed file is what the settings table
 * generates, a file that uses every setting passes both, and the common mistakes fail both.
 * Validated by Ajv, imported here alone so that the program never loads it.
 */

import assert from "node:assert/strict";
// A test-only dependency: not in deno.json's imports, so nothing the package ships can load it.
// deno-lint-ignore no-import-prefix
import { Ajv } from "npm:ajv@8.20.0";
import { normalizePathName } from "../../src/base/path_name.ts";
import { checkConfig } from "../../src/config/check.ts";
import { substituteEnvironment } from "../../src/config/environment.ts";
import { ConfigError, parseJsonWithPositions } from "../../src/config/json_with_positions.ts";
import type { JsonValue } from "../../src/config/json_with_positions.ts";
import type { PathSource } from "../../src/config/model.ts";
import { configSchema, SCHEMA_ID } from "../../src/config/schema.ts";
import {
  AUTH_SETTINGS,
  currentNames,
  LIMIT_SETTINGS,
  PATH_KEYS,
  SOURCE_ALIASES,
  SOURCE_SCHEMES,
  TLS_SETTINGS,
  TOP_SETTINGS,
} from "../../src/config/settings.ts";
import { parseYamlWithPositions } from "../../src/config/yaml_with_positions.ts";
import { schemaText } from "../../scripts/config_schema.ts";

const ENV = {
  DAVE_PASSWORD: "d4ve",
  CAM_TOKEN: "abc.def-123",
  LOG_LEVEL: "debug",
  DOOR_PASSWORD: "d00r",
  PUSH_PASSWORD: "pu5h",
};

/** Every setting of the table, each source with every setting it takes. */
const EVERY_SETTING = `
rtspPort: 8554
bind: "::"
rtpPort: 5000
payloadSize: 1400
logLevel: \${LOG_LEVEL}
httpPort: 8080
tls:
  port: 8322
  cert: /etc/rtsp-edge/cert.pem
  key: /etc/rtsp-edge/key.pem
limits:
  maxConnections: 1024
  maxConnectionsPerIp: 128
  maxSessions: 1024
  maxSessionsPerIp: 128
  headerTimeout: 10s
  sessionTimeout: 90
  queueBytes: 8388608
auth:
  users:
    alice: { password: s3cret }
    bob: { ha1: 0123456789abcdef0123456789abcdef }
    carol: { hash: "pbkdf2-sha256$1000$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==" }
    dave:
      password: \${DAVE_PASSWORD}
  realm: rtsp-edge
  methods: [digest, basic]
  allowBasicWithoutTls: true
  metricsOpenTo: [10.0.0.0/8]
  apiOpenTo: ["192.168.1.10/32"]
  read: anyone
  publish: [alice]
  allow: ["192.168.0.0/16", "::1/128"]
paths:
  cam1:
    source: camera
    device: /dev/video0
    size: 640x480
    fps: 15
    format: MJPEG
    bitrate: 1M
    gop: 30
    onDemand: true
    onDemandCloseAfter: 1m30s
    read: [alice, bob]
    publish: [alice]
    push: ["rtsp://central:8554/x"]
    pushTransport: udp
    allow: ["10.0.0.0/8"]
  clip:
    source: file
    input: clip.yuv
    format: i420
    size: 320x240
    fps: 25
    bitrate: 500000
    gop: 50
    onDemand: true
    onDemandCloseAfter: 500ms
    read: anyone
    publish: [carol]
    push: ["rtsp://central:8554/x"]
    pushTransport: udp
    allow: ["127.0.0.1/32"]
  garden/bars:
    source: test-pattern
    size: 1280X720
    fps: 29.97
    bitrate: 2.5M
    gop: 60
    onDemand: true
    onDemandCloseAfter: 2.5
    read: [dave]
    publish: anyone
    push: ["rtsp://central:8554/x"]
    pushTransport: udp
    allow: ["::/0"]
  /esp32cam:
    source: ingest
    token: \${CAM_TOKEN}
    jpeg: rtp-jpeg
    replace: true
    bitrate: 1M
    gop: 30
    maxFrameBytes: 1048576
    audio: pcmu
    read: [alice]
    publish: [alice]
    push: ["rtsp://central:8554/x"]
    pushTransport: udp
    allow: ["192.168.1.0/24"]
  studio:
    source: publisher
    replace: true
    read: anyone
    publish: [bob]
    allow: ["0.0.0.0/0"]
    push: ["rtsps://user:\${PUSH_PASSWORD}@central:8322/studio"]
    pushTransport: tcp
  doorbell:
    source: rtsp://admin:\${DOOR_PASSWORD}@192.168.1.20:554/stream1
    rtspTransport: tcp
    jpeg: rtp-jpeg
    bitrate: 1M
    gop: 30
    onDemand: true
    onDemandCloseAfter: 20s
    push: ["rtsp://central:8554/doorbell"]
    pushTransport: tcp
    read: anyone
    publish: [alice]
    allow: ["10.0.0.0/8"]
  esp32web:
    source: http://192.168.1.30:81/stream
    fps: 5
    jpeg: h264
    bitrate: 800k
    gop: 15
    onDemand: true
    onDemandCloseAfter: 5s
    push: ["rtsps://central:8322/esp32web"]
    pushTransport: udp
    read: [bob]
    publish: [bob]
    allow: ["192.168.1.0/24"]
  all_others:
    source: publish
`;

const ajv = new Ajv({ strict: true, allErrors: true });
const validate = ajv.compile(configSchema());

/** The schema's complaints about a file's value, one line each; empty when it passes. */
function schemaErrors(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The YAML text as written (what an editor validates) and as the checker reads it. */
function read(text: string): { written: JsonValue; checked: () => unknown } {
  const parsed = parseYamlWithPositions(text, "rtsp-edge.yml");
  return {
    written: parsed.value,
    checked: () => checkConfig({ ...substituteEnvironment(parsed, ENV).doc, file: "x.yml" }),
  };
}

Deno.test("the committed schema is what the settings table generates", async () => {
  const committed = await Deno.readTextFile(
    new URL("../../examples/rtsp-edge.schema.json", import.meta.url),
  );
  assert.deepEqual(JSON.parse(committed), configSchema());
  assert.equal(committed, schemaText(), "run deno task schema");
});

Deno.test("the schema is draft-07 with its $id", () => {
  const schema = configSchema();
  assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  assert.equal(schema.$id, SCHEMA_ID);
  assert.ok(ajv.validateSchema(schema), JSON.stringify(ajv.errors));
});

Deno.test("the sample uses every setting of the table", () => {
  const { written } = read(EVERY_SETTING);
  const top = written as Record<string, Record<string, unknown>>;
  const keys = (o: unknown) => Object.keys(o as object);
  assert.deepEqual(keys(top), currentNames(TOP_SETTINGS));
  assert.deepEqual(keys(top.tls), keys(TLS_SETTINGS));
  assert.deepEqual(keys(top.limits), keys(LIMIT_SETTINGS));
  assert.deepEqual(keys(top.auth), keys(AUTH_SETTINGS));
  const credentials = Object.values(top.auth.users as object).flatMap(keys);
  assert.deepEqual([...new Set(credentials)].sort(), ["ha1", "hash", "password"]);
  const paths = Object.values(top.paths) as Record<string, unknown>[];
  for (const source of Object.keys(PATH_KEYS) as PathSource[]) {
    const kindOf = (p: Record<string, unknown>) => {
      const scheme = /^([a-z]+):\/\//.exec(String(p.source))?.[1];
      return scheme === undefined ? p.source : SOURCE_SCHEMES[scheme];
    };
    const given = paths.filter((p) => kindOf(p) === source).flatMap(keys);
    assert.deepEqual([...new Set(given)].sort(), [...PATH_KEYS[source]].sort(), source);
  }
  for (const alias of Object.keys(SOURCE_ALIASES)) {
    assert.ok(paths.some((p) => p.source === alias), alias);
  }
});

Deno.test("a file with every setting passes the checker and the schema", () => {
  const { written, checked } = read(EVERY_SETTING);
  checked();
  assert.deepEqual(schemaErrors(written), []);
});

Deno.test("the shipped example passes the schema", async () => {
  const text = await Deno.readTextFile(new URL("../../examples/rtsp-edge.json", import.meta.url));
  assert.deepEqual(schemaErrors(parseJsonWithPositions(text).value), []);
});

Deno.test("the schema accepts what the checker accepts, value by value", () => {
  const cases = [
    "rtspPort: 0",
    "rtpPort: 0",
    "limits: { headerTimeout: 0.001 }",
    "limits: { headerTimeout: 86400 }",
    "limits: { sessionTimeout: 24h }",
    "limits: { sessionTimeout: 1h30m15s250ms }",
    "paths: { a: { source: test-pattern, fps: 240, bitrate: 10000 } }",
    "paths: { a: { source: test-pattern, bitrate: 100M } }",
    "paths: { a: { source: test-pattern, bitrate: 500k, size: 16x16 } }",
    "paths: { a: { source: file, input: '-', fps: 0.5 } }",
    "paths: { a: { source: file, input: movie.h264 } }",
    "paths: { a.b/c~d_e-f: { source: publisher } }",
    "paths: { a: { source: ingest, token: 'abc/+~=' } }",
    "auth: { users: { 'a b': { password: x } }, methods: [basic] }",
  ];
  for (const text of cases) {
    const { written, checked } = read(text);
    checked();
    assert.deepEqual(schemaErrors(written), [], text);
  }
});

Deno.test("the schema and the checker both refuse the common mistakes", () => {
  const cases: [string, RegExp][] = [
    ["rtspport: 8554", /^ must NOT have additional properties$/],
    ["rtspPort: '8554'", /^\/rtspPort must be integer$/],
    ["rtspPort: 70000", /^\/rtspPort must be <= 65535$/],
    ["rtpPort: 5001", /^\/rtpPort must be multiple of 2$/],
    ["logLevel: loud", /^\/logLevel must be equal to one of the allowed values$/],
    ["tls: { cert: c.pem }", /^\/tls must have required property 'key'$/],
    ["limits: { headerTimeout: soon }", /^\/limits\/headerTimeout must match pattern/],
    ["auth: { read: anyone }", /^\/auth must have required property 'users'$/],
    ["auth: { users: { a: { password: x, ha1: y } } }", /^\/auth\/users\/a must NOT have more/],
    ["auth: { users: { a: { ha1: abc } } }", /^\/auth\/users\/a\/ha1 must match pattern/],
    ["auth: { users: { a: { password: x } }, methods: [] }", /^\/auth\/methods must NOT have/],
    ["paths: { cam1: { device: /dev/video0 } }", /^\/paths\/cam1 must have required property/],
    ["paths: { cam1: { source: camera } }", /required property 'device'$/],
    ["paths: { cam1: { source: file } }", /required property 'input'$/],
    ["paths: { cam1: { source: rtsp } }", /^\/paths\/cam1\/source must be equal to one of/],
    [
      "paths: { cam1: { source: camera, device: /dev/video0, token: abc } }",
      /^\/paths\/cam1 must NOT have additional properties$/,
    ],
    [
      "paths: { cam1: { source: camera, device: /dev/video0, onDemand: 'yes' } }",
      /^\/paths\/cam1\/onDemand must be boolean$/,
    ],
    [
      "paths: { cam1: { source: test-pattern, size: big } }",
      /^\/paths\/cam1\/size must match pattern/,
    ],
    [
      "paths: { cam1: { source: test-pattern, bitrate: lots } }",
      /^\/paths\/cam1\/bitrate must match pattern/,
    ],
    ["paths: { cam1: { source: test-pattern, fps: 0 } }", /^\/paths\/cam1\/fps must be > 0$/],
    ["paths: { cam1: { source: ingest, token: 'a b' } }", /^\/paths\/cam1\/token must match/],
    ["paths: { 'cam 1': { source: publisher } }", /^\/paths property name must be valid$/],
    ["paths: { a/../b: { source: publisher } }", /^\/paths property name must be valid$/],
  ];
  for (const [text, expected] of cases) {
    const { written, checked } = read(text);
    assert.throws(checked, ConfigError, `the checker took ${text}`);
    const errors = schemaErrors(written);
    assert.ok(errors.some((e) => expected.test(e)), `${text}: ${errors.join("; ")}`);
  }
});

Deno.test("the schema's path names are the path name rule", () => {
  const pattern = new RegExp(
    (configSchema() as { properties: { paths: { propertyNames: { pattern: string } } } })
      .properties.paths.propertyNames.pattern,
    "u",
  );
  const names = ["cam1", "/cam1", "a/b", "a.b", "..a", "a..", ".", "..", "a/.", "a/..", "a//b"];
  for (const name of [...names, "/", "", "a/", "cam 1", "a:b", "all_others", "x/./y"]) {
    const rule = name === "all_others" || normalizePathName(name) !== undefined;
    assert.equal(pattern.test(name), rule, name);
  }
});
