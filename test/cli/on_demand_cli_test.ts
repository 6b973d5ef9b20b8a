/**
 * `--on-demand` end to end: the CLI opens and encodes nothing until a client asks, serves ffprobe
 * and ffmpeg a decodable picture, and stops the source the close-after after the last reader.
 */

import assert from "node:assert/strict";
import { interopTest, run } from "../interop/support.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const START_FLAGS: string[] = JSON.parse(
  await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
).tasks.start.split(" ").filter((w: string) => w.startsWith("--allow"));

/** The CLI with its standard error read as it comes, a line at a time. */
class CliUnderTest {
  readonly #child: Deno.ChildProcess;
  #stderr = "";
  #reading: Promise<void>;
  url = "";

  constructor(args: string[]) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...START_FLAGS, CLI, "--port", "0", "--bind", "127.0.0.1", ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#reading = (async () => {
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr += text;
      }
    })();
  }

  /** Waits for the banner's URL. */
  async started(): Promise<void> {
    const reader = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let banner = "";
    while (!/rtsp:\/\/\S+\n/.test(banner)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`no URL printed: ${banner}${this.#stderr}`);
      banner += value;
    }
    reader.releaseLock();
    this.url = /rtsp:\/\/\S+/.exec(banner)![0];
    void this.#child.stdout.cancel().catch(() => {});
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Resolves once `pattern` has been logged `times` times, or throws after `timeoutMs`. */
  async logged(pattern: RegExp, times: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const count = () => this.#stderr.match(new RegExp(pattern, "g"))?.length ?? 0;
    while (count() < times) {
      if (Date.now() > deadline) {
        throw new Error(`${pattern} not logged ${times}x:\n${this.#stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<number> {
    this.#child.kill("SIGTERM");
    const { code } = await this.#child.status;
    await this.#reading;
    return code;
  }
}

interopTest(
  "--on-demand starts the source for a reader and stops it the close-after after the last one",
  ["ffprobe", "ffmpeg"],
  async () => {
    const cli = new CliUnderTest([
      "--on-demand",
      "--on-demand-close-after",
      "1s",
      "--size",
      "320x240",
    ]);
    try {
      await cli.started();
      await new Promise((r) => setTimeout(r, 1500));
      assert.doesNotMatch(cli.stderr, /on-demand source started/, "started with no reader");
      const probe = await run("ffprobe", ["-v", "error", "-show_streams", "-of", "json", cli.url]);
      assert.equal(probe.code, 0, probe.stderr);
      const video = JSON.parse(probe.stdout).streams[0];
      assert.deepEqual([video.codec_name, video.width, video.height], ["h264", 320, 240]);
      await cli.logged(/on-demand source stopped: no reader/, 1, 10_000);
      // A second reader starts it again and decodes from its first frame on.
      const decode = await run("ffmpeg", [
        ...["-v", "error", "-xerror", "-rtsp_transport", "tcp", "-i", cli.url],
        ...["-frames:v", "10", "-f", "null", "-"],
      ]);
      assert.equal(decode.code, 0, decode.stderr);
      await cli.logged(/on-demand source started/, 2, 10_000);
      await cli.logged(/on-demand source stopped: no reader/, 2, 10_000);
    } finally {
      assert.equal(await cli.stop(), 0, cli.stderr);
    }
  },
);
