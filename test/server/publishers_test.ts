import assert from "node:assert/strict";
import { serve } from "../../src/server/server.ts";

const OPTIONS = { codec: "h264" as const, publisher: "device A" };

Deno.test("publish() creates the path's stream and refuses a second publisher by name", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    const a = server.publish("/cam", OPTIONS);
    assert.equal(server.getStream("/cam"), a.stream);
    assert.throws(
      () => server.publish("/cam", { ...OPTIONS, publisher: "device B" }),
      { name: "PathBusyError", message: "/cam is being published by device A" },
    );
    assert.equal(a.active, true);
  } finally {
    await server.close();
  }
});

Deno.test("a publisher that comes back continues the same stream, so readers stay", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    const first = server.publish("/cam", OPTIONS);
    first.release();
    assert.equal(first.active, false);
    assert.equal(server.getStream("/cam"), first.stream, "the stream outlives its publisher");
    const again = server.publish("/cam", { ...OPTIONS, publisher: "device A again" });
    assert.equal(again.stream, first.stream);
    first.release(); // releasing a stale claim changes nothing
    assert.throws(() => server.publish("/cam", OPTIONS), { name: "PathBusyError" });
  } finally {
    await server.close();
  }
});

Deno.test("replace takes the path and tells the publisher it replaced", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    let replaced = 0;
    const a = server.publish("/cam", { ...OPTIONS, onReplaced: () => replaced++ });
    const b = server.publish("/cam", { ...OPTIONS, publisher: "device B", replace: true });
    assert.equal(replaced, 1);
    assert.equal(a.active, false);
    assert.equal(b.active, true);
    assert.equal(b.stream, a.stream);
    a.release(); // the replaced claim no longer holds the path
    assert.throws(() => server.publish("/cam", OPTIONS), /published by device B/);
  } finally {
    await server.close();
  }
});

Deno.test("publish() refuses a path the program serves itself", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    server.addStream("/local", { codec: "h264" });
    assert.throws(
      () => server.publish("/local", OPTIONS),
      {
        name: "PathBusyError",
        message: "/local is served by a local source and cannot be published",
      },
    );
  } finally {
    await server.close();
  }
});

Deno.test("a path name outside the one rule is refused, served or published", async () => {
  const server = await serve({ port: 0, hostname: "127.0.0.1" });
  try {
    for (const bad of ["/cam:1", "/a b", "/caméra", "/x/../y"]) {
      assert.throws(() => server.addStream(bad, { codec: "h264" }), RangeError, bad);
      assert.throws(() => server.publish(bad, OPTIONS), RangeError, bad);
    }
    // The spelling a request may use (a trailing slash) still names the path.
    assert.equal(server.addStream("/site/cam.2/", { codec: "h264" }).path, "/site/cam.2");
  } finally {
    await server.close();
  }
});
