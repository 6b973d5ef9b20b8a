/**
 * The configuration that will run: the config file (when `--config` names one) with the
 * command line's flags laid over it, `${NAME}` taken from the environment, checked once.
 *
 * @module
 */

import { checkConfig } from "../config/check.ts";
import type { ParsedConfig } from "../config/config.ts";
import type { Environment } from "../config/environment.ts";
import { overlay } from "../config/overlay.ts";
import { pathExists } from "../runtime/files.ts";
import type { CommandLine } from "./args.ts";

/**
 * Reads, merges and checks. Throws `ConfigError` (one line: the file, line and column, or the
 * flag) for any mistake.
 */
export async function configure(command: CommandLine, env: Environment): Promise<ParsedConfig> {
  let doc = command.flags;
  let templates: ReadonlyMap<string, string> = new Map();
  if (command.configFile !== undefined) {
    // Loaded only for a config file: a command line alone never holds the YAML parser.
    const [{ readConfigDocument }, { readConfigText }] = await Promise.all([
      import("../config/config.ts"),
      import("../config/load.ts"),
    ]);
    const file = readConfigDocument(
      await readConfigText(command.configFile),
      command.configFile,
      env,
    );
    doc = overlay(file.doc, command.flags);
    templates = file.templates;
  }
  return { ...checkConfig(doc, { exists: pathExists }), templates };
}
