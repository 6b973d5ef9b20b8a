/**
 * A self-signed certificate for the TLS tests, made by openssl once per test run (tests that use
 * it list "openssl" among their tools).
 */

import { argv, run } from "../interop/support.ts";

let pemPromise: Promise<{ cert: string; key: string }> | undefined;

/** A self-signed P-256 certificate for `localhost` and its private key, as PEM. */
export function selfSignedPem(): Promise<{ cert: string; key: string }> {
  pemPromise ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "rtsp-edge-tls-" });
    try {
      const r = await run(
        "openssl",
        argv`req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1
          -subj /CN=localhost -keyout ${dir}/key.pem -out ${dir}/cert.pem`,
      );
      if (r.code !== 0) throw new Error(`openssl could not make a certificate: ${r.stderr}`);
      return {
        cert: await Deno.readTextFile(`${dir}/cert.pem`),
        key: await Deno.readTextFile(`${dir}/key.pem`),
      };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  })();
  return pemPromise;
}

/** Another P-256 private key, belonging to no certificate, as PEM. */
export async function otherKeyPem(): Promise<string> {
  const r = await run("openssl", argv`genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1`);
  if (r.code !== 0) throw new Error(`openssl could not make a key: ${r.stderr}`);
  return r.stdout;
}
