/**
 * Child processes of the benchmark: spawned with piped stdin/stdout speaking JSON lines, tracked so
 * that every one is killed at the end, even on error; and their CPU time from /proc.
 *
 * @module
 */

import { jsonLines, type Message } from "./lines.ts";

const encoder = new TextEncoder();
const live = new Set<Child>();

/** A spawned helper process. */
export class Child {
  /** What it is, for messages. */
  readonly name: string;
  /** The process. */
  readonly process: Deno.ChildProcess;
  #lines: AsyncGenerator<Message>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #stderr = "";
  #exited = false;

  /** Starts `command args` with piped stdio, and `env` added to the environment. */
  constructor(name: string, command: string, args: string[], env?: Record<string, string>) {
    this.name = name;
    const proc = new Deno.Command(command, {
      args,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.process = proc;
    live.add(this);
    this.#lines = jsonLines(proc.stdout);
    this.#writer = proc.stdin.getWriter();
    // Keep the last few KB of stderr for error messages; never let the pipe fill up.
    (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stderr) {
        this.#stderr = (this.#stderr + decoder.decode(chunk, { stream: true })).slice(-4000);
      }
    })().catch(() => {});
    proc.status.then(() => {
      this.#exited = true;
      live.delete(this);
    });
  }

  /** The process id. */
  get pid(): number {
    return this.process.pid;
  }

  /** Sends one message. */
  async send(message: Message): Promise<void> {
    await this.#writer.write(encoder.encode(JSON.stringify(message) + "\n"));
  }

  /** The next message whose `event` is `event`, within `timeoutMs`. */
  async next(event: string, timeoutMs: number): Promise<Message> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`${this.name}: no "${event}" within ${timeoutMs} ms${this.#tail()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.#find(event), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #find(event: string): Promise<Message> {
    for (;;) {
      const { value, done } = await this.#lines.next();
      if (done) throw new Error(`${this.name} exited before "${event}"${this.#tail()}`);
      if (value.event === event) return value;
      if (value.event === "error") throw new Error(`${this.name}: ${value.message}`);
    }
  }

  #tail(): string {
    const t = this.#stderr.trim();
    return t ? `\n--- ${this.name} stderr ---\n${t}` : "";
  }

  /** Asks it to exit (`{cmd:"exit"}`), then kills it if it has not within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.#exited) return;
    try {
      await this.send({ cmd: "exit" });
      await this.#writer.close();
    } catch {
      // its stdin is gone: it is exiting anyway
    }
    const timer = setTimeout(() => this.kill(), graceMs);
    await this.process.status;
    clearTimeout(timer);
  }

  /** Kills it at once. */
  kill(): void {
    if (this.#exited) return;
    try {
      this.process.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Kills every child still running. */
export async function killAll(): Promise<void> {
  const children = [...live];
  for (const c of children) c.kill();
  await Promise.all(children.map((c) => c.process.status.catch(() => {})));
}

let ticksPerSecond = 100;
try {
  const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).outputSync();
  const n = Number(new TextDecoder().decode(out.stdout).trim());
  if (n > 0) ticksPerSecond = n;
} catch {
  // 100 on every Linux we know of
}

/**
 * CPU seconds (user + system, all threads) that process `pid` has used so far, from fields 14 and
 * 15 of /proc/<pid>/stat (proc(5)). Counted in clock ticks (10 ms).
 */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** User and system CPU seconds of `pid` (all threads), from /proc/<pid>/stat. */
export function cpuSplit(pid: number): { user: number; system: number } {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) / ticksPerSecond, system: Number(fields[12]) / ticksPerSecond };
}

/** A reading of a process's CPU time: /proc/<pid>/stat and each thread's schedstat. */
export interface CpuSample {
  /** utime + stime in seconds (tick resolution). */
  stat: number;
  /** utime alone, seconds. */
  user: number;
  /** Nanoseconds on CPU by thread id, from /proc/<pid>/task/<tid>/schedstat (ns resolution). */
  threads: Map<string, number>;
}

/** Reads the CPU time of `pid` now. */
export function cpuSample(pid: number): CpuSample {
  const threads = new Map<string, number>();
  try {
    for (const entry of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        const text = Deno.readTextFileSync(`/proc/${pid}/task/${entry.name}/schedstat`);
        threads.set(entry.name, Number(text.split(" ")[0]));
      } catch {
        // the thread ended while we looked
      }
    }
  } catch {
    // no schedstat on this kernel: the tick count below is used
  }
  const { user, system } = cpuSplit(pid);
  return { stat: user + system, user, threads };
}

/**
 * CPU seconds used between two samples: the sum of the per-thread nanosecond counters (threads
 * that ended in between take their counters with them, so this can only fall short), checked
 * against the tick-resolution total of /proc/<pid>/stat, which is used instead when the two
 * differ by more than its resolution.
 */
export function cpuBetween(a: CpuSample, b: CpuSample): { seconds: number; precise: boolean } {
  const byTicks = b.stat - a.stat;
  if (a.threads.size === 0) return { seconds: byTicks, precise: false };
  let ns = 0;
  for (const [tid, v] of b.threads) ns += v - (a.threads.get(tid) ?? 0);
  const precise = ns / 1e9;
  if (Math.abs(precise - byTicks) > 2.5 / ticksPerSecond) {
    return { seconds: byTicks, precise: false };
  }
  return { seconds: precise, precise: true };
}

/** Whether the system Python has GStreamer's RTSP server bindings (python3-gi, GstRtspServer). */
export function gstRtspServerAvailable(): boolean {
  try {
    return new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import gi; gi.require_version('GstRtspServer', '1.0')"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

/**
 * A server under measurement, spawned with its standard error kept (the last 2,000 characters, for
 * the message when it fails) and its standard input open (gst_rtsp_server.py exits when it ends).
 */
export class ServerProcess {
  /** The process. */
  readonly child: Deno.ChildProcess;
  #exited = false;
  #stderr = "";
  #status: Promise<unknown>;
  #stderrDone: Promise<void>;

  /** Starts `command args` in `cwd`; `stdout` is piped only when the caller reads it. */
  constructor(command: string, args: string[], cwd: string, stdout: "piped" | "null") {
    const child = new Deno.Command(command, { args, cwd, stdin: "piped", stdout, stderr: "piped" })
      .spawn();
    this.child = child;
    this.#status = child.status.then(() => this.#exited = true);
    this.#stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const c of child.stderr) {
        this.#stderr = (this.#stderr + decoder.decode(c)).slice(-2000);
      }
    })().catch(() => {});
  }

  /** Whether it has exited. */
  get exited(): boolean {
    return this.#exited;
  }

  /** The end of what it wrote to standard error. */
  get stderr(): string {
    return this.#stderr.trim();
  }

  /** SIGTERM, SIGKILL after 3 s, and its pipes closed. */
  async stop(): Promise<void> {
    if (!this.#exited) this.child.kill("SIGTERM");
    const grace = setTimeout(() => !this.#exited && this.child.kill("SIGKILL"), 3000);
    await this.#status;
    clearTimeout(grace);
    await this.child.stdin.close().catch(() => {});
    await this.#stderrDone;
  }
}

/**
 * Reads rtsp-edge's start-up banner from `child`'s standard output until it has named both its RTSP
 * and its HTTP port on 127.0.0.1 (30 s at most; the child is killed if it never does), then keeps
 * reading and dropping the rest, so the child never blocks on a full pipe.
 */
export async function bannerPorts(
  child: Deno.ChildProcess,
): Promise<{ rtspPort: number; httpPort: number }> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  const deadline = Date.now() + 30_000;
  let rtsp: RegExpExecArray | null = null;
  let http: RegExpExecArray | null = null;
  while (!(rtsp && http) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    banner += value;
    rtsp = /rtsp:\/\/127\.0\.0\.1:(\d+)\//.exec(banner);
    http = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(banner);
  }
  if (!rtsp || !http) {
    child.kill("SIGKILL");
    throw new Error(`the binary printed no ports: ${banner}`);
  }
  (async () => {
    while (!(await reader.read()).done) { /* drained */ }
  })().catch(() => {});
  return { rtspPort: Number(rtsp[1]), httpPort: Number(http[1]) };
}
