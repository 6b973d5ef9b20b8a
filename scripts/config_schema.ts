/**
 * Writes the config file's JSON Schema, generated from the settings table, to
 * `examples/rtsp-edge.schema.json`: `deno task schema`. With `--check` it writes nothing and fails
 * when the committed file is not what the table generates.
 */

import { configSchema } from "../src/config/schema.ts";

const FILE = new URL("../examples/rtsp-edge.schema.json", import.meta.url);
const NAME = "examples/rtsp-edge.schema.json";

/** The schema as the committed file holds it: 2-space JSON and a final newline. */
export function schemaText(): string {
  return JSON.stringify(configSchema(), null, 2) + "\n";
}

if (import.meta.main) {
  const text = schemaText();
  if (Deno.args.includes("--check")) {
    let committed: string | undefined;
    try {
      committed = await Deno.readTextFile(FILE);
    } catch {
      committed = undefined;
    }
    if (committed !== text) {
      console.error(`${NAME} is not what settings.ts generates; run deno task schema`);
      Deno.exit(1);
    }
  } else {
    await Deno.writeTextFile(FILE, text);
    console.log(`wrote ${NAME}`);
  }
}
