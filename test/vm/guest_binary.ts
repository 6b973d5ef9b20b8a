/**
 * The rtsp-edge binary the VM tests run inside the guest, and whether those tests can run here.
 */
import { buildBinary } from "../../build.ts";
import { CACHE_DIR, findKernel } from "./build_initramfs.ts";

const repoRoot = new URL("../../", import.meta.url).pathname;

/** Whether a kernel with modules and qemu-system-x86_64 are installed. */
export async function haveVmTools(): Promise<boolean> {
  try {
    await findKernel();
    const out = await new Deno.Command("qemu-system-x86_64", { args: ["--version"] }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Whether Bun is installed (it builds the binary). */
export async function haveBun(): Promise<boolean> {
  return await new Deno.Command("bun", { args: ["--version"] }).output().then(
    (o) => o.success,
    () => false,
  );
}

let built: Promise<string> | undefined;

/**
 * A folder holding a freshly built `rtsp-edge`, shared with the guest on /mnt/share. Built once
 * per test process from the working tree, so the guest never runs a stale dist/ binary.
 */
export function guestBinaryDir(): Promise<string> {
  built ??= (async () => {
    const dir = `${CACHE_DIR}/bin`;
    await buildBinary({ outfile: `${dir}/rtsp-edge` });
    return dir;
  })();
  return built;
}

/** A free TCP port on the host's loopback, for the VM's RTSP port forward. */
export { freePort } from "../interop/support.ts";

/** The repository root (with a trailing slash). */
export const REPO_ROOT: string = repoRoot;
