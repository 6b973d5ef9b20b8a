/**
 * File checks shared by the encoder benchmark's modules.
 *
 * @module
 */

/** Whether `path` exists; other errors (permission) are thrown. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
