/**
 * What the encoder benchmark says about the machine it ran on: CPU and tool versions, and how busy
 * other processes kept it (a 2-core VM shared with builds and tests gives low, noisy figures).
 *
 * @module
 */

/** CPU time of the whole machine since boot, in jiffies, all cores together. */
export interface Jiffies {
  /** Time not idle and not waiting for I/O. */
  busy: number;
  /** All time. */
  total: number;
}

/** Busy and total jiffies of the whole machine, from /proc/stat (Linux); undefined elsewhere. */
export function machineJiffies(): Jiffies | undefined {
  try {
    const fields = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/)
      .slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - fields[3] - fields[4], total }; // minus idle and iowait
  } catch {
    return undefined;
  }
}

/** Cores the whole machine kept busy between two samples (1.0 = one core all the time). */
export function busyCores(a: Jiffies | undefined, b: Jiffies | undefined): number | undefined {
  if (!a || !b || b.total === a.total) return undefined;
  return ((b.busy - a.busy) / (b.total - a.total)) * navigator.hardwareConcurrency;
}

/** Cores other processes kept busy over one second, measured while this one waits. */
export async function otherLoad(): Promise<number | undefined> {
  const a = machineJiffies();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return busyCores(a, machineJiffies());
}

/** CPU model, core count and the versions of Deno, V8, Bun and gcc, in one line. */
export async function describeMachine(): Promise<string> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? "unknown CPU";
  const bun = await version("bun", ["--version"]);
  const gcc = await version("gcc", ["-dumpfullversion"]);
  return `${model}, ${navigator.hardwareConcurrency} cores; deno ${Deno.version.deno} ` +
    `(V8 ${Deno.version.v8}); bun ${bun}; gcc ${gcc}`;
}

async function version(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim() || "unknown";
  } catch {
    return "absent";
  }
}
