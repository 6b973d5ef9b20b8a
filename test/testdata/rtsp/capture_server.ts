// Re-captures the client requests in this folder. Not a test; run by hand:
//
//   deno run --allow-net --allow-write test/testdata/rtsp/capture_server.ts 18554 /tmp/cap ffmpeg &
//   ffprobe -v error -rtsp_transport tcp -show_streams rtsp://127.0.0.1:18554/stream
//   ffmpeg -re -f lavfi -i testsrc=size=64x48:rate=10 -t 1.5 -c:v libx264 -g 5 \
//     -f rtsp -rtsp_transport tcp rtsp://127.0.0.1:18554/pub
//   gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:18554/stream protocols=udp ! fakesink
//
// It writes each request's exact bytes to <dir>/<prefix>_NN_<method>.txt and each connection's
// whole client-to-server byte stream (with interleaved frames) to <dir>/<prefix>_connN.bin,
// answering just enough (OPTIONS, DESCRIBE with an H.264 SDP, SETUP, PLAY, RECORD...) for the
// client to go on. Deliberately independent of src/ so it records what clients send, not what
// our parser thinks they send.

const SDP = [
  "v=0",
  "o=- 0 0 IN IP4 127.0.0.1",
  "s=capture",
  "c=IN IP4 0.0.0.0",
  "t=0 0",
  "a=control:*",
  "m=video 0 RTP/AVP 96",
  "a=rtpmap:96 H264/90000",
  "a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;" +
  "sprop-parameter-sets=Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg==",
  "a=control:trackID=0",
  "",
].join("\r\n");

function reply(method: string, url: string, head: string): string {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "im").exec(head)?.[1] ?? "";
  let extra = "";
  let body = "";
  if (method === "OPTIONS") {
    extra = "Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, ANNOUNCE, RECORD\r\n";
  } else if (method === "DESCRIBE") {
    body = SDP;
    extra = `Content-Type: application/sdp\r\nContent-Base: ${url.replace(/\/?$/, "/")}\r\n`;
  } else if (method === "SETUP") {
    let t = field("Transport").split(",")[0];
    if (t.includes("client_port")) t += ";server_port=40000-40001";
    extra = `Transport: ${t}\r\nSession: 12345678;timeout=60\r\n`;
  } else {
    extra = "Session: 12345678\r\n";
  }
  const length = body ? `Content-Length: ${new TextEncoder().encode(body).length}\r\n` : "";
  return `RTSP/1.0 200 OK\r\nCSeq: ${field("CSeq")}\r\n${extra}${length}\r\n${body}`;
}

async function serve(conn: Deno.Conn, dir: string, prefix: string, id: number, next: () => number) {
  const all: number[] = [];
  let pending: number[] = [];
  const chunk = new Uint8Array(65536);
  for (let n; (n = await conn.read(chunk)) !== null;) {
    all.push(...chunk.subarray(0, n));
    pending.push(...chunk.subarray(0, n));
    for (;;) {
      if (pending[0] === 0x24) { // interleaved frame: skip it
        if (pending.length < 4 || pending.length < 4 + (pending[2] << 8 | pending[3])) break;
        pending = pending.slice(4 + (pending[2] << 8 | pending[3]));
        continue;
      }
      const text = String.fromCharCode(...pending);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) break;
      const head = text.slice(0, end);
      const total = end + 4 + Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
      if (pending.length < total) break;
      const [method, url] = head.split(" ");
      const name = `${prefix}_${String(next()).padStart(2, "0")}_${method.toLowerCase()}.txt`;
      await Deno.writeFile(`${dir}/${name}`, Uint8Array.from(pending.slice(0, total)));
      pending = pending.slice(total);
      await conn.write(new TextEncoder().encode(reply(method, url, head)));
    }
  }
  await Deno.writeFile(`${dir}/${prefix}_conn${id}.bin`, Uint8Array.from(all));
}

if (import.meta.main) {
  const [port, dir, prefix] = Deno.args;
  await Deno.mkdir(dir, { recursive: true });
  let messages = 0;
  let connections = 0;
  for await (const conn of Deno.listen({ hostname: "127.0.0.1", port: Number(port) })) {
    serve(conn, dir, prefix, ++connections, () => ++messages).catch((e) => console.error(e));
  }
}
