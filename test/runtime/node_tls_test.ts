import assert from "node:assert/strict";
import * as tls from "node:tls";
import type { TcpConnection } from "../../src/runtime/net.ts";
import { listenTls, tlsCredentialsProblem } from "../../src/runtime/node_tls.ts";
import { interopTest } from "../interop/support.ts";
import { otherKeyPem, selfSignedPem } from "./self_signed.ts";

interopTest(
  "tlsCredentialsProblem() accepts a certificate with its own key and names what is wrong otherwise",
  ["openssl"],
  async () => {
    const { cert, key } = await selfSignedPem();
    assert.equal(tlsCredentialsProblem(cert, key), undefined);
    assert.equal(
      tlsCredentialsProblem("garbage", key),
      "the TLS certificate is not a PEM certificate",
    );
    assert.equal(tlsCredentialsProblem(key, key), "the TLS certificate is not a PEM certificate");
    assert.match(tlsCredentialsProblem(cert, "garbage")!, /^the TLS key is not a PEM private key/);
    assert.match(tlsCredentialsProblem(cert, cert)!, /^the TLS key is not a PEM private key/);
    assert.equal(
      tlsCredentialsProblem(cert, await otherKeyPem()),
      "the TLS key does not belong to the TLS certificate",
    );
  },
);

interopTest(
  "listenTls() hands over handshaken connections marked secure, which carry bytes both ways",
  ["openssl"],
  async () => {
    const accepted: TcpConnection[] = [];
    const echoed = Promise.withResolvers<void>();
    const listener = await listenTls(
      { hostname: "127.0.0.1", port: 0, ...await selfSignedPem() },
      (connection) => {
        accepted.push(connection);
        return {
          data: (bytes) => connection.write(bytes.slice()),
          written: () => echoed.resolve(),
          closed: () => {},
        };
      },
    );
    try {
      const got = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({
          host: "127.0.0.1",
          port: listener.address.port,
          rejectUnauthorized: false,
        }, () => socket.write("ping"));
        socket.once("data", (b: Uint8Array) => {
          resolve(new TextDecoder().decode(b));
          socket.destroy();
        });
        socket.once("error", reject);
      });
      await echoed.promise;
      assert.equal(got, "ping");
      assert.equal(accepted.length, 1);
      assert.equal(accepted[0].secure, true);
      assert.equal(accepted[0].remote.hostname, "127.0.0.1");
      assert.equal(accepted[0].local.port, listener.address.port);
    } finally {
      await listener.close();
    }
  },
);

Deno.test("listenTls() refuses text that is not PEM before it takes a port", async () => {
  await assert.rejects(
    listenTls({ hostname: "127.0.0.1", port: 0, cert: "cert.pem", key: "key.pem" }, () => {
      throw new Error("no connection expected");
    }),
    { message: "the TLS certificate is not a PEM certificate" },
  );
});
