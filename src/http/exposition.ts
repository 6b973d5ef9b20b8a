/**
 * A writer of the Prometheus text exposition format, version 0.0.4: one `# HELP` and `# TYPE`
 * line per metric family, its samples below them, label values and help text escaped as the
 * format says (backslash, double quote in label values, line feed). Small enough to own rather
 * than depend on a client library.
 *
 * @module
 */

/** The `Content-Type` of the format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The metric types this writer emits. */
export type MetricType = "counter" | "gauge";

/** Label names and values of one sample. */
export type Labels = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

interface Family {
  type: MetricType;
  help: string;
  samples: string[];
}

/** Collects metric families and writes them out. */
export class Exposition {
  readonly #families = new Map<string, Family>();

  /**
   * Declares the family `name`, if not yet declared. Throws when the name is not a metric name,
   * or when it was declared with another type or help (one family per name).
   */
  family(name: string, type: MetricType, help: string): this {
    if (!METRIC_NAME.test(name)) throw new RangeError(`not a metric name: ${name}`);
    if (name.startsWith("__")) throw new RangeError(`reserved metric name: ${name}`);
    const known = this.#families.get(name);
    if (known && (known.type !== type || known.help !== help)) {
      throw new RangeError(`metric ${name} declared twice, differently`);
    }
    if (!known) this.#families.set(name, { type, help, samples: [] });
    return this;
  }

  /** Adds one sample of the declared family `name`. Throws for an undeclared family. */
  sample(name: string, value: number, labels: Labels = {}): this {
    const family = this.#families.get(name);
    if (!family) throw new RangeError(`metric ${name} was not declared`);
    family.samples.push(`${name}${labelText(labels)} ${formatValue(value)}`);
    return this;
  }

  /** Declares the family and adds one sample: for families of a single value. */
  metric(name: string, type: MetricType, help: string, value: number, labels?: Labels): this {
    return this.family(name, type, help).sample(name, value, labels);
  }

  /** The exposition text: every family in the order declared, ending with a line feed. */
  text(): string {
    let out = "";
    for (const [name, family] of this.#families) {
      out += `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n`;
      for (const line of family.samples) out += line + "\n";
    }
    return out;
  }
}

/** `{a="1",b="2"}`, or nothing without labels. */
function labelText(labels: Labels): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith("__")) {
      throw new RangeError(`not a label name: ${name}`);
    }
    parts.push(`${name}="${escapeLabelValue(value)}"`);
  }
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/** A label value escaped: `\` → `\\`, `"` → `\"`, line feed → `\n`. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Help text escaped: `\` → `\\`, line feed → `\n`. */
export function escapeHelp(help: string): string {
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as the format writes it: `NaN`, `+Inf`, `-Inf` or a number. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
