/**
 * Under Bun: a `bun_net.ts` UDP socket sends to a port nobody listens on (a UDP reader gone without
 * TEARDOWN), so the kernel answers with ICMP "port unreachable", and right after, in the same task,
 * to a live socket, as the server's fan-out does. Prints one JSON line `{ sent, received }`;
 * network_test.ts checks that every datagram to the live socket arrived and that nothing went to
 * standard error.
 */

import process from "node:process";
import { bunNetwork } from "../../src/runtime/bun_net.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const gone = await bunNetwork.bindUdp({ hostname: "127.0.0.1", port: 0 }, () => {});
const deadPort = gone.address.port;
await gone.close();
let received = 0;
const peer = await bunNetwork.bindUdp({ hostname: "127.0.0.1", port: 0 }, () => received++);
const sender = await bunNetwork.bindUdp({ hostname: "127.0.0.1", port: 0 }, () => {});
const sent = 5;
for (let i = 0; i < sent; i++) {
  sender.send(new Uint8Array(12), deadPort, "127.0.0.1");
  sender.send(new Uint8Array(12), peer.address.port, "127.0.0.1");
  await sleep(20);
}
for (let i = 0; i < 100 && received < sent; i++) await sleep(10);
await sleep(100); // time for any late error report
await sender.close();
await peer.close();
console.log(JSON.stringify({ sent, received }));
process.exit(0);
