// The YAML face of the config file: each kind of mistake with its exact line and column, the
// environment, the old spelling of a source, and what YAML itself refuses.
import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../src/config/config.ts";

/** The one-line message `parseConfig(text, "edge.yml")` refuses `text` with. */
function mistake(text: string, env: Record<string, string> = {}): string {
  try {
    parseConfig(text, "edge.yml", { env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    assert.ok(!error.message.includes("\n"), `more than one line: ${error.message}`);
    return error.message;
  }
  assert.fail(`accepted: ${text}`);
}

Deno.test("each kind of mistake is one line with the file, line and column and the setting", () => {
  const cases: [string, string][] = [
    [
      "rtspPort: eighty\n",
      'edge.yml:1:11: rtspPort must be a whole number from 0 to 65535, got "eighty"',
    ],
    ["port: 8555\n", "edge.yml:1:1: port is not a setting; did you mean rtspPort?"],
    [
      "paths:\n  cam:\n    source: ingest\n    tokn: abc\n",
      "edge.yml:4:5: paths.cam.tokn is not a setting; did you mean token?",
    ],
    [
      "paths:\n  cam:\n    source: test-pattern\n    onDemand: true\n    onDemandCloseAfter: soon\n",
      'edge.yml:5:25: paths.cam.onDemandCloseAfter must be a duration such as "10s", "500ms" ' +
      'or "2m", at most a day, got "soon"',
    ],
    [
      "paths:\n  cam:1:\n    source: publisher\n",
      'edge.yml:2:3: paths: "cam:1" is not a valid path name; use letters, digits, ".", "_", ' +
      '"~" and "-", with "/" between segments',
    ],
    [
      "auth:\n  users:\n    ha:\n      password: ${HA_PASSWORD}\n",
      "edge.yml:4:17: auth.users.ha.password: ${HA_PASSWORD} is not set in the environment",
    ],
    [
      "paths:\n  cam:\n    source: camera\n    device: /dev/video0\n    fps: fast\n",
      'edge.yml:5:10: paths.cam.fps must be a number above 0 and at most 240, got "fast"',
    ],
    [
      "limits:\n  headerTimeout: 0s\n",
      'edge.yml:2:18: limits.headerTimeout must be a duration such as "10s", "500ms" or "2m", ' +
      'above 0 and at most a day, got "0s"',
    ],
    [
      "paths:\n  cam:\n    source: ingest\n    device: /dev/video0\n",
      "edge.yml:4:5: paths.cam.device is not a setting of an ingest path; it belongs to camera " +
      "paths",
    ],
    [
      "paths:\n  all_others:\n    source: camera\n    device: /dev/video0\n",
      'edge.yml:3:13: paths.all_others takes every path not named, so its source must be "ingest" ' +
      'or "publisher"; a camera serves one path',
    ],
    [
      "paths:\n  cam:\n",
      'edge.yml:2:7: paths.cam needs a source: "camera", "file", "test-pattern", "ingest", ' +
      `"publisher", or a camera's URL (rtsp://, rtsps://, http://, https://)`,
    ],
    ["tls:\n  cert: a.pem\n", "edge.yml:2:3: tls needs a key file"],
    [
      "paths:\n  cam:\n    source: ingest\n    token: '********'\n",
      "edge.yml:4:12: paths.cam.token is the mask --print-config shows in place of a secret; " +
      "write the secret itself, or ${NAME} to take it from the environment",
    ],
  ];
  for (const [text, message] of cases) assert.equal(mistake(text), message, text);
});

Deno.test("what YAML itself refuses is named in one line at its place", () => {
  assert.equal(
    mistake("rtspPort: 8554\nrtspPort: 8555\n"),
    "edge.yml:2:1: rtspPort is given twice in the same mapping",
  );
  assert.equal(
    mistake("paths:\n  cam: { source: ingest, token: ${T} }\n"),
    "edge.yml:2:34: Unexpected flow-map-start at node end; inside { } or [ ] write a variable " +
      'in quotes: "${NAME}"',
  );
  assert.equal(
    mistake("logLevel: debug\n\tbind: x\n"),
    "edge.yml:2:1: Tabs are not allowed as indentation",
  );
  assert.equal(
    mistake("- a\n- b\n"),
    "edge.yml:1:1: the file must be a mapping of settings, got an array",
  );
  assert.equal(mistake(""), "edge.yml: holds no settings; see examples/rtsp-edge.yml");
  assert.match(mistake("rtspPort: 1\n---\nrtspPort: 2\n"), /^edge\.yml:2:1: /);
  assert.equal(mistake("rtspPort: .inf\n"), 'edge.yml:1:11: ".inf" is not a value a setting takes');
});

Deno.test("${NAME} is taken from the environment in any text value, $${ is a literal ${", () => {
  const { config, templates } = parseConfig(
    [
      "auth:",
      "  users:",
      "    ha:",
      "      password: ${HA_PASSWORD}",
      "  realm: cost $${5}",
      "paths:",
      "  cam:",
      "    source: ingest",
      '    token: "${CAM}-${SITE}"',
    ].join("\n"),
    "edge.yml",
    { env: { HA_PASSWORD: "pw", CAM: "abc", SITE: "x1" } },
  );
  assert.deepEqual(config.auth?.users.ha, { password: "pw" });
  assert.equal(config.auth?.realm, "cost ${5}");
  const cam = config.paths["/cam"];
  assert.equal(cam.source === "ingest" && cam.token, "abc-x1");
  assert.equal(templates.get("/paths/cam/token"), "${CAM}-${SITE}");
  assert.equal(
    mistake("bind: ${BAD-NAME}\n"),
    "edge.yml:1:7: bind: ${BAD-NAME} is not a variable name: use letters, digits and _",
  );
});

Deno.test("the old source name publish is read as publisher, with a notice", () => {
  const { config, notices } = parseConfig("paths:\n  cam:\n    source: publish\n", "edge.yml");
  assert.deepEqual(config.paths["/cam"], { source: "publisher", replace: false });
  assert.deepEqual(notices, [
    'paths.cam.source: "publish" is read as "publisher", its name from now on',
  ]);
});

Deno.test("YAML and JSON of the same settings give the same model", () => {
  const yaml = parseConfig(
    "rtspPort: 8555\npaths:\n  cam:\n    source: camera\n    device: /dev/video0\n" +
      "    onDemand: true\n    onDemandCloseAfter: 30s\n",
    "a.yaml",
  );
  const json = parseConfig(
    '{ "rtspPort": 8555, "paths": { "cam": { "source": "camera", "device": "/dev/video0", ' +
      '"onDemand": true, "onDemandCloseAfter": "30s" } } }',
    "a.jsonc",
  );
  assert.deepEqual(yaml.config, json.config);
});

Deno.test("a camera's URL as the source relays it; its mistakes are named like the others", () => {
  const { config } = parseConfig(
    "paths:\n  door:\n    source: rtsps://admin:${PW}@10.0.0.5/live\n    onDemand: true\n" +
      "    push:\n      - rtsp://central:8554/door\n  esp:\n    source: http://10.0.0.6:81/stream\n",
    "edge.yml",
    { env: { PW: "pw" } },
  );
  assert.deepEqual(config.paths["/door"], {
    source: "rtsp",
    url: "rtsps://admin:pw@10.0.0.5/live",
    rtspTransport: "auto",
    jpeg: "h264",
    bitrate: 2_000_000,
    gop: 30,
    onDemand: true,
    onDemandCloseAfter: 10_000,
    push: ["rtsp://central:8554/door"],
    pushTransport: "tcp",
  });
  assert.equal(config.paths["/esp"].source, "http");
  const cases: [string, string][] = [
    [
      "paths:\n  cam:\n    source: ftp://cam/x\n",
      'edge.yml:3:13: paths.cam.source must be "camera", "file", "test-pattern", "ingest", ' +
      `"publisher", or a camera's URL (rtsp://, rtsps://, http://, https://), got "ftp://cam/x"`,
    ],
    [
      "paths:\n  cam:\n    source: rtsp://\n",
      'edge.yml:3:13: paths.cam.source must be "camera", "file", "test-pattern", "ingest", ' +
      `"publisher", or a camera's URL (rtsp://, rtsps://, http://, https://), got "rtsp://": ` +
      "it names no host",
    ],
    [
      "paths:\n  cam:\n    source: rtsp://cam/x\n    device: /dev/video0\n",
      "edge.yml:4:5: paths.cam.device is not a setting of an rtsp:// path; it belongs to camera " +
      "paths",
    ],
    [
      "paths:\n  cam:\n    source: test-pattern\n    push:\n      - http://central/x\n",
      "edge.yml:5:9: paths.cam.push must be a list of rtsp:// or rtsps:// URLs, got " +
      '"http://central/x": http:// is not one of them',
    ],
    [
      "paths:\n  all_others:\n    source: publisher\n    push:\n      - rtsp://central/x\n",
      "edge.yml:4:5: paths.all_others.push: push names one path's servers; set it on a named path",
    ],
    [
      "paths:\n  cam:\n    source: rtsp://admin:********@cam/x\n",
      "edge.yml:3:13: paths.cam.source holds the mask --print-config shows in place of a " +
      "password; write the password itself, or ${NAME} to take it from the environment",
    ],
  ];
  for (const [text, message] of cases) assert.equal(mistake(text), message, text);
});
