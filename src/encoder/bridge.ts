/**
 * A fresh instance of the embedded OpenH264 module, ready for one encoder. The compiled module is
 * shared; each encoder gets its own memory.
 *
 * @module
 */

import { type EncoderExports, instantiateEncoder, loadEncoderModule } from "./wasm_binding.ts";

/** Instantiates the embedded module and returns its exports. */
export async function createBridge(): Promise<EncoderExports> {
  return instantiateEncoder(await loadEncoderModule()).exports;
}
