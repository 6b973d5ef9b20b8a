/**
 * Boots Debian's kernel in QEMU (TCG; KVM hangs on this machine) with the initramfs from
 * build_initramfs.ts, so a command can run against the real `vivid` V4L2 driver (/dev/video0).
 *
 * Inside the VM: the host's /usr is shared read-only on /usr (so host glibc programs such as
 * v4l2-ctl or dist/rtsp-edge run), `share` (if given) on /mnt/share, networking is QEMU user
 * mode with guest port 8554 forwarded to 127.0.0.1:`hostPort` on the host.
 *
 * @example
 * ```ts ignore
 * import { startVm } from "./vm.ts";
 * const vm = await startVm({ command: ["cat", "/sys/class/video4linux/video0/name"] });
 * console.log(await vm.exited, vm.output());
 * ```
 * @module
 */
import { buildInitramfs } from "./build_initramfs.ts";

/** Options of {@linkcode startVm}. */
export interface VmOptions {
  /** Argv run as root by the VM's /init (a shell runs it; each element is quoted). */
  command: string[];
  /** Host loopback port forwarded to guest port 8554 (RTSP). */
  hostPort?: number;
  /** Host directory shared read-only on /mnt/share in the guest. */
  share?: string;
  /** Share the host's /usr read-only on /usr (default true; needed for glibc programs). */
  shareUsr?: boolean;
  /** vivid module options, space separated (default DEFAULT_VIVID_OPTIONS). */
  vividOptions?: string;
  /** Kill QEMU after this long (default 120 s: TCG is slow). */
  timeoutMs?: number;
  /** Guest memory in MiB (default 1024). */
  memoryMb?: number;
  /** Called with each chunk of serial console output as it arrives. */
  onOutput?: (text: string) => void;
}

/** A running VM. */
export interface Vm {
  /** Serial console output so far. */
  output: () => string;
  /**
   * Resolves with the guest command's exit code (from the `RTSE_EXIT=` line), 124 if the timeout
   * killed QEMU, or 255 if QEMU ended without reporting one (panic, stop()).
   */
  exited: Promise<number>;
  /** Resolves when the console output matches `pattern`; rejects if the VM ends first or on timeout. */
  waitFor: (pattern: string | RegExp, timeoutMs?: number) => Promise<void>;
  /** Kills QEMU (if still running) and waits for it. */
  stop(): Promise<void>;
}

/** Quotes one argument for POSIX sh. */
function shQuote(s: string): string {
  return /^[A-Za-z0-9_./=:,@+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

function b64(text: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Boots the VM and runs `opts.command` in it. Always stops QEMU on timeout or stop(). */
export async function startVm(opts: VmOptions): Promise<Vm> {
  const { kernel, initrd } = await buildInitramfs();
  const append = [
    "console=ttyS0",
    "quiet",
    "panic=-1",
    `rtse.cmd64=${b64(opts.command.map(shQuote).join(" ") + "\n")}`,
  ];
  if (opts.vividOptions) {
    append.push(`rtse.vivid=${opts.vividOptions.trim().split(/\s+/).join(",")}`);
  }
  const cmdline = append.join(" ");
  // x86 COMMAND_LINE_SIZE is 2048; longer commands belong in a script on the share.
  if (cmdline.length > 2000) throw new Error(`kernel command line too long (${cmdline.length})`);
  const fwd = opts.hostPort ? `,hostfwd=tcp:127.0.0.1:${opts.hostPort}-:8554` : "";
  const args = [
    "-nographic",
    "-no-reboot",
    "-accel",
    "tcg",
    "-cpu",
    "max",
    "-m",
    String(opts.memoryMb ?? 1024),
    "-kernel",
    kernel,
    "-initrd",
    initrd,
    "-append",
    cmdline,
    "-netdev",
    `user,id=n${fwd}`,
    // romfile= skips the iPXE option ROM: nothing boots from the network.
    "-device",
    "virtio-net-pci,netdev=n,romfile=",
  ];
  if (opts.shareUsr ?? true) {
    args.push("-virtfs", "local,path=/usr,mount_tag=usr,security_model=none,readonly=on");
  }
  if (opts.share) {
    args.push(
      "-virtfs",
      `local,path=${opts.share},mount_tag=share,security_model=none,readonly=on`,
    );
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("qemu-system-x86_64", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new Error(
      `cannot run qemu-system-x86_64 (apt-get install qemu-system-x86): ${
        e instanceof Error ? e.message : e
      }`,
    );
  }
  let out = "";
  let ended = false;
  const listeners = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>): Promise<void> => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      const text = dec.decode(chunk, { stream: true });
      out += text;
      opts.onOutput?.(text);
      for (const l of listeners) l();
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, opts.timeoutMs ?? 120_000);
  const exited = (async () => {
    await child.status;
    await pumps;
    clearTimeout(timer);
    ended = true;
    for (const l of listeners) l();
    const m = out.match(/RTSE_EXIT=(\d+)/);
    if (m) return Number(m[1]);
    return timedOut ? 124 : 255;
  })();
  const waitFor = (pattern: string | RegExp, timeoutMs = 60_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const matches = () => typeof pattern === "string" ? out.includes(pattern) : pattern.test(out);
      const check = () => {
        if (matches()) done(resolve);
        else if (ended) done(() => reject(new Error(`VM ended before ${pattern}`)));
      };
      const done = (f: () => void) => {
        listeners.delete(check);
        clearTimeout(t);
        f();
      };
      const t = setTimeout(
        () => done(() => reject(new Error(`timeout waiting for ${pattern}`))),
        timeoutMs,
      );
      listeners.add(check);
      check();
    });
  return {
    output: () => out,
    exited,
    waitFor,
    async stop() {
      if (!ended) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
      await exited;
    },
  };
}

if (import.meta.main) {
  // deno run -A test/vm/vm.ts [cmd args...]: boots, runs the command (default: show /dev/video0).
  const t0 = performance.now();
  const vm = await startVm({
    command: Deno.args.length
      ? Deno.args
      : ["sh", "-c", "ls -l /dev/video*; cat /sys/class/video4linux/video0/name"],
    onOutput: (t) => Deno.stdout.writeSync(new TextEncoder().encode(t)),
  });
  const code = await vm.exited;
  console.error(`[vm] exit ${code} after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  Deno.exit(code);
}
