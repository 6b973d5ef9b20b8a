#!/usr/bin/python3
"""GStreamer's RTSP server playing one launch line, the upstream camera of the relay tests.

Usage: gst_launch_server.py LAUNCH [--protocols tcp|udp|all] [--port N]

LAUNCH is a gst-rtsp-server factory launch line, e.g.
"( videotestsrc ! ... ! rtph264pay name=pay0 pt=96 )", served at /stream on 127.0.0.1.
--protocols limits the lower transports the server accepts (a SETUP for another is refused), as
cameras that only do UDP or only TCP. The media is shared by every client.

Protocol (JSON lines on standard output): {"event":"ready","port":N} once listening. It exits
when standard input ends.

Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and the GStreamer plugins the launch line
names. Run with /usr/bin/python3 (the system interpreter that has gi).
"""

import argparse
import json
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PROTOCOLS = {
    "tcp": GstRtsp.RTSPLowerTrans.TCP,
    "udp": GstRtsp.RTSPLowerTrans.UDP,
    "all": GstRtsp.RTSPLowerTrans.TCP | GstRtsp.RTSPLowerTrans.UDP,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("launch")
    parser.add_argument("--protocols", choices=sorted(PROTOCOLS), default="all")
    parser.add_argument("--port", default="0")
    args = parser.parse_args()
    Gst.init(None)

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(args.launch)
    factory.set_shared(True)
    factory.set_protocols(PROTOCOLS[args.protocols])

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(args.port)
    server.get_mount_points().add_factory("/stream", factory)
    server.attach(None)
    sys.stdout.write(json.dumps({"event": "ready", "port": server.get_bound_port()}) + "\n")
    sys.stdout.flush()

    loop = GLib.MainLoop()

    def watch_stdin():
        sys.stdin.read()
        GLib.idle_add(loop.quit)

    threading.Thread(target=watch_stdin, daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()
