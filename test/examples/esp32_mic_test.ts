/**
 * The ESP32 microphone example (examples/esp32/arduino/esp32cam_push/mic_push.c) cannot be built
 * here without ESP-IDF; gcc checks it against stub headers that declare the few IDF names it uses
 * with their IDF types (test/examples/esp_idf_stubs), with the client's own header.
 */

import assert from "node:assert/strict";
import { interopTest, run } from "../interop/support.ts";

const SKETCH = new URL("../../examples/esp32/arduino/esp32cam_push/", import.meta.url).pathname;
const CLIENT = new URL("../../examples/esp32/client/", import.meta.url).pathname;
const STUBS = new URL("./esp_idf_stubs/", import.meta.url).pathname;

interopTest(
  "the ESP32 microphone example compiles as C99 against stub IDF headers",
  ["gcc"],
  async () => {
    const r = await run("gcc", [
      ...["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only"],
      ...[`-I${STUBS}`, `-I${CLIENT}`],
      `${SKETCH}mic_push.c`,
    ]);
    assert.equal(r.code, 0, r.stderr);
  },
);
