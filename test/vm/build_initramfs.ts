/**
 * Builds a tiny busybox initramfs that boots Debian's kernel in QEMU with the `vivid` V4L2 test
 * driver loaded, so capture code can be tested against a real /dev/video0 on a machine that has
 * no camera and cannot load kernel modules itself.
 *
 * Run: `deno run -A test/vm/build_initramfs.ts` (prints the initrd path). Cached in `.cache/vm/`.
 *
 * Host packages (Debian): linux-image-amd64 busybox-static cpio qemu-system-x86 (to boot it).
 *
 * The /init it writes:
 * - mounts proc, sys, devtmpfs, tmpfs on /tmp;
 * - insmods the vivid, virtio-net and 9p module sets in modules.dep order;
 * - brings up eth0 as QEMU user networking expects (10.0.2.15/24, gateway 10.0.2.2);
 * - mounts every 9p share it finds: tag `usr` on /usr (the host's merged /usr, so /lib and /lib64,
 *   symlinks into usr/ as on Debian, give host glibc programs their loader and libraries), any
 *   other tag on /mnt/<tag>;
 * - runs the shell script base64-encoded in `rtse.cmd64=` on the kernel command line (default:
 *   list /dev/video* and print the vivid card name), prints `RTSE_EXIT=<code>`, powers off.
 * @module
 */

/** Where the kernel, its modules and the finished initramfs are. */
export interface Initramfs {
  /** Path of the kernel image (`/boot/vmlinuz-<version>`). */
  kernel: string;
  /** Kernel release, e.g. `6.1.0-56-amd64`. */
  kernelVersion: string;
  /** Path of the uncompressed newc cpio archive. */
  initrd: string;
}

/** Modules whose dependency closure goes into the image: camera, network and 9p share. */
const ROOT_MODULES = [
  "kernel/drivers/media/test-drivers/vivid/vivid",
  "kernel/drivers/virtio/virtio_pci",
  "kernel/drivers/net/virtio_net",
  "kernel/net/9p/9pnet_virtio",
  "kernel/fs/9p/9p",
];

/**
 * Default vivid options: one device, video capture node only, one input of type webcam (input
 * type 0: discrete frame sizes and intervals, like a USB camera). Override with `rtse.vivid=`
 * on the kernel command line, options separated by commas.
 */
export const DEFAULT_VIVID_OPTIONS = "n_devs=1 node_types=0x1 num_inputs=1 input_types=0x0";

const repoRoot = new URL("../../", import.meta.url).pathname;
/** Cache folder for built images (gitignored via `.cache/`). */
export const CACHE_DIR: string = `${repoRoot}.cache/vm`;

function log(msg: string): void {
  console.error(`[vm] ${msg}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function run(cmd: string[], opts: { cwd?: string } = {}): Promise<Uint8Array> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd[0], { args: cmd.slice(1), cwd: opts.cwd, stderr: "piped" })
      .output();
  } catch (e) {
    throw new Error(`cannot run ${cmd[0]}: ${e instanceof Error ? e.message : e}`);
  }
  if (!out.success) {
    throw new Error(`${cmd.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}

/**
 * Finds the newest installed kernel with its modules (`RTSE_VM_KERNEL=/boot/vmlinuz-X` picks one).
 * Throws naming the apt package to install when there is none.
 */
export async function findKernel(): Promise<{ kernel: string; kernelVersion: string }> {
  const forced = Deno.env.get("RTSE_VM_KERNEL");
  const candidates: string[] = [];
  if (forced) candidates.push(forced);
  else {
    try {
      for await (const e of Deno.readDir("/boot")) {
        if (e.name.startsWith("vmlinuz-")) candidates.push(`/boot/${e.name}`);
      }
    } catch { /* no /boot */ }
    candidates.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  }
  for (const kernel of candidates) {
    const kernelVersion = kernel.replace(/^.*vmlinuz-/, "");
    if (await exists(`/lib/modules/${kernelVersion}/modules.dep`)) return { kernel, kernelVersion };
  }
  throw new Error(
    "no kernel with modules in /boot + /lib/modules: apt-get install linux-image-amd64",
  );
}

/** Resolves the module closure of `roots` from modules.dep, dependencies first. */
export function resolveModules(modulesDep: string, roots: string[]): string[] {
  const deps = new Map<string, string[]>();
  for (const line of modulesDep.split("\n")) {
    const i = line.indexOf(":");
    if (i < 0) continue;
    deps.set(line.slice(0, i), line.slice(i + 1).trim().split(/\s+/).filter(Boolean));
  }
  const byStem = new Map<string, string>();
  for (const k of deps.keys()) byStem.set(k.replace(/\.ko(\.xz|\.zst|\.gz)?$/, ""), k);
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (mod: string): void => {
    if (seen.has(mod)) return;
    seen.add(mod);
    for (const d of deps.get(mod) ?? []) visit(d);
    order.push(mod);
  };
  for (const root of roots) {
    const mod = byStem.get(root);
    if (!mod) throw new Error(`module ${root} not in modules.dep (kernel built without it?)`);
    visit(mod);
  }
  return order;
}

function initScript(modules: string[]): string {
  const insmods = modules.map((m) => {
    const name = m.replace(/^.*\//, "").replace(/\.ko.*$/, "");
    const opts = name === "vivid" ? " $VIVID_OPTS" : "";
    return `insmod /modules/${name}.ko${opts} || echo "rtse: insmod ${name} failed"`;
  });
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/usr/sbin HOME=/root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm; mount -t tmpfs tmp /tmp; mount -t tmpfs shm /dev/shm
arg() { for w in $(cat /proc/cmdline); do case "$w" in "$1="*) echo "\${w#*=}";; esac; done; }
up() { cut -d' ' -f1 /proc/uptime; }
echo "rtse: init started at $(up)s"
VIVID_OPTS="$(arg rtse.vivid | tr , ' ')"
[ -n "$VIVID_OPTS" ] || VIVID_OPTS="${DEFAULT_VIVID_OPTIONS}"
${insmods.join("\n")}
ip link set lo up
if ip link set eth0 up 2>/dev/null; then
  ip addr add 10.0.2.15/24 dev eth0; ip route add default via 10.0.2.2
fi
for t in /sys/bus/virtio/drivers/9pnet_virtio/virtio*/mount_tag; do
  [ -f "$t" ] || continue
  tag=$(tr -d '\\000' < "$t")
  if [ "$tag" = usr ]; then dir=/usr; else dir=/mnt/$tag; fi
  mkdir -p "$dir"
  mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose "$tag" "$dir" \\
    || echo "rtse: mount 9p $tag failed"
done
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/video0 ] && break; sleep 0.1; done
echo "rtse: ready at $(up)s"
cmd64="$(arg rtse.cmd64)"
if [ -n "$cmd64" ]; then echo "$cmd64" | base64 -d > /tmp/cmd.sh; else cat > /tmp/cmd.sh <<'EOF'
ls -l /dev/video*
echo "card: $(cat /sys/class/video4linux/video0/name)"
EOF
fi
cd /tmp
sh /tmp/cmd.sh
echo "RTSE_EXIT=$?"
echo "rtse: done at $(up)s"
sync
poweroff -f
`;
}

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Builds (or reuses from `.cache/vm/`) the initramfs for the newest installed kernel. */
export async function buildInitramfs(opts: { force?: boolean } = {}): Promise<Initramfs> {
  const { kernel, kernelVersion } = await findKernel();
  const busybox = "/bin/busybox";
  if (!(await exists(busybox))) throw new Error("no /bin/busybox: apt-get install busybox-static");
  const bbText = new TextDecoder().decode(
    await run(["file", "-L", busybox]).catch(() => new Uint8Array()),
  );
  if (bbText.includes("dynamically linked")) {
    throw new Error("/bin/busybox is dynamically linked: apt-get install busybox-static");
  }
  const modDir = `/lib/modules/${kernelVersion}`;
  const modules = resolveModules(await Deno.readTextFile(`${modDir}/modules.dep`), ROOT_MODULES);
  const init = initScript(modules);
  const bbStat = await Deno.stat(busybox);
  const key = (await sha256([kernelVersion, init, bbStat.size, bbStat.mtime?.getTime()].join("\n")))
    .slice(0, 12);
  const initrd = `${CACHE_DIR}/initramfs-${kernelVersion}-${key}.cpio`;
  if (!opts.force && await exists(initrd)) {
    log(`using cached ${initrd}`);
    return { kernel, kernelVersion, initrd };
  }
  await run(["cpio", "--version"]).catch(() => {
    throw new Error("no cpio: apt-get install cpio");
  });
  const t0 = performance.now();
  const root = `${CACHE_DIR}/root-${key}`;
  await Deno.remove(root, { recursive: true }).catch(() => {});
  for (const d of ["bin", "modules", "proc", "sys", "dev", "tmp", "root", "usr", "mnt", "etc"]) {
    await Deno.mkdir(`${root}/${d}`, { recursive: true });
  }
  await Deno.copyFile(busybox, `${root}/bin/busybox`);
  await Deno.chmod(`${root}/bin/busybox`, 0o755);
  // Debian is merged-/usr: with the host's /usr shared on /usr, these make its loader resolve.
  await Deno.symlink("usr/lib", `${root}/lib`);
  await Deno.symlink("usr/lib64", `${root}/lib64`);
  await Deno.writeTextFile(`${root}/etc/passwd`, "root:x:0:0:root:/root:/bin/sh\n");
  await Deno.writeTextFile(`${root}/etc/group`, "root:x:0:\nvideo:x:44:\n");
  await Deno.writeTextFile(`${root}/etc/hosts`, "127.0.0.1 localhost\n::1 localhost\n");
  await Deno.writeTextFile(`${root}/init`, init, { mode: 0o755 });
  await Deno.chmod(`${root}/init`, 0o755);
  for (const m of modules) {
    const src = `${modDir}/${m}`;
    const name = m.replace(/^.*\//, "").replace(/\.ko.*$/, "");
    const dst = `${root}/modules/${name}.ko`;
    // busybox insmod may not read compressed modules: decompress on the host.
    if (m.endsWith(".ko")) await Deno.copyFile(src, dst);
    else if (m.endsWith(".xz")) await Deno.writeFile(dst, await run(["xz", "-dc", src]));
    else if (m.endsWith(".zst")) await Deno.writeFile(dst, await run(["zstd", "-dc", src]));
    else if (m.endsWith(".gz")) await Deno.writeFile(dst, await run(["gzip", "-dc", src]));
    else throw new Error(`unknown module format ${m}`);
  }
  log(`${modules.length} modules: ${modules.map((m) => m.replace(/^.*\//, "")).join(" ")}`);
  const tmp = `${initrd}.tmp`;
  await run(["sh", "-c", `find . -print0 | cpio --null -o -H newc --quiet -R 0:0 > '${tmp}'`], {
    cwd: root,
  });
  await Deno.rename(tmp, initrd);
  await Deno.remove(root, { recursive: true });
  const size = (await Deno.stat(initrd)).size;
  log(
    `built ${initrd} (${(size / 1e6).toFixed(1)} MB) in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  return { kernel, kernelVersion, initrd };
}

if (import.meta.main) {
  try {
    const r = await buildInitramfs({ force: Deno.args.includes("--force") });
    console.log(JSON.stringify(r));
  } catch (e) {
    log(`error: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
