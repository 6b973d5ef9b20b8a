// The generated WebAssembly modules (350 KB of base64) and fflate are imported only when an
// encoder or a JPEG decoder is made: importing the server, or starting the CLI, does not parse them.
import assert from "node:assert/strict";

interface Dependency {
  specifier: string;
  code?: { specifier: string };
  isDynamic?: boolean;
}
interface GraphModule {
  specifier: string;
  dependencies?: Dependency[];
}

/** `deno info --json` of `entry`: every module by specifier. */
async function moduleGraph(entry: string): Promise<Map<string, GraphModule>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const { modules } = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: GraphModule[];
  };
  return new Map(modules.map((m) => [m.specifier, m]));
}

/** The modules loaded when `entry` is imported: static imports only, followed from the root. */
function staticClosure(graph: Map<string, GraphModule>, root: string): Set<string> {
  const seen = new Set<string>();
  const todo = [root];
  while (todo.length > 0) {
    const specifier = todo.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of graph.get(specifier)?.dependencies ?? []) {
      if (!dep.isDynamic && dep.code) todo.push(dep.code.specifier);
    }
  }
  return seen;
}

const GENERATED = /\/wasm\/(openh264|jpeg)_wasm\.ts$/;

// The server and the command line load the encoder, the JPEG decoder and fflate only when a source
// or a device needs them (src/source/local_source.ts, src/cli/run.ts): an idle on-demand server
// holds none of them.
for (const entry of ["mod.ts", "cli.ts"]) {
  Deno.test(`importing ${entry} loads no encoder, no WebAssembly and no fflate`, async () => {
    const graph = await moduleGraph(entry);
    const loaded = [...staticClosure(graph, new URL(`../../${entry}`, import.meta.url).href)];
    // The flags' bitrate parser (src/encoder/options.ts, pure) is the one piece of encoder/ allowed.
    const heavy = loaded.filter((s) =>
      /\/src\/(encoder|jpeg)\/|fflate|\/wasm\//.test(s) && !s.endsWith("/src/encoder/options.ts")
    );
    assert.deepEqual(heavy, []);
    // Still reachable, by `await import()`.
    const reachable = [...graph.keys()].filter((s) => GENERATED.test(s));
    if (entry === "cli.ts") assert.equal(reachable.length, 2, `${reachable}`);
  });
}

Deno.test("importing encoder.ts loads the encoder but no generated WebAssembly module", async () => {
  const graph = await moduleGraph("encoder.ts");
  const loaded = [...staticClosure(graph, new URL("../../encoder.ts", import.meta.url).href)];
  assert.ok(loaded.some((s) => s.endsWith("/src/encoder/h264_encoder.ts")), "the encoder is there");
  assert.deepEqual(loaded.filter((s) => GENERATED.test(s) || /fflate/.test(s)), []);
  // They are still reachable, by `await import()` where an encoder or decoder is made.
  const generated = [...graph.keys()].filter((s) => GENERATED.test(s));
  assert.equal(generated.length, 2, `both generated modules are in the graph: ${generated}`);
});

// A command line without --config never needs the YAML parser, and a server with no relay or push
// never needs the client: both are `await import()`ed where a file, a relay or a push is met.
Deno.test("starting cli.ts loads no YAML parser and no RTSP or HTTP client", async () => {
  const graph = await moduleGraph("cli.ts");
  const loaded = [...staticClosure(graph, new URL("../../cli.ts", import.meta.url).href)];
  const heavy = loaded.filter((s) =>
    /npm:\/?yaml|\/yaml@|\/src\/config\/(config|load|yaml_with_positions|print)\.ts$/.test(s) ||
    /\/src\/client\//.test(s)
  );
  assert.deepEqual(heavy, []);
  const reachable = [...graph.keys()];
  assert.ok(reachable.some((s) => s.endsWith("/src/config/yaml_with_positions.ts")));
  assert.ok(reachable.some((s) => s.endsWith("/src/client/pull.ts")));
});

// The HTTP port is always open, so what it loads stays resident in every server: fflate (whose
// module builds its tables in loops the JIT compiles) waits for a device's first compressed body.
Deno.test("opening the HTTP port (src/cli/web.ts) loads no fflate", async () => {
  const graph = await moduleGraph("src/cli/web.ts");
  const loaded = [...staticClosure(graph, new URL("../../src/cli/web.ts", import.meta.url).href)];
  assert.deepEqual(loaded.filter((s) => /fflate|\/wasm\//.test(s)), []);
  assert.ok([...graph.keys()].some((s) => /fflate/.test(s)), "still reachable by import()");
});
