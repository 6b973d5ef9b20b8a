#!/usr/bin/python3
"""GStreamer side of the relay benchmark: one gst-rtsp-server process serving a shared media per
mount, each from a launch line given on the command line. The benchmark uses it both as an upstream
(videotestsrc ! jpegenc ! rtpjpegpay) and as the relay under measurement (rtspsrc ! depay ! ... !
pay), so that GStreamer's relay runs in one process whose CPU time can be read from /proc.

    gst_relay_server.py --mount /a '( rtspsrc location=rtsp://... ! ... name=pay0 pt=96 )' ...

Protocol (JSON lines): prints {"event":"ready","url":<base rtsp://127.0.0.1:port>,"pid":...};
{"cmd":"exit"} on stdin (or its end) stops it.

Needs Debian's python3-gi and gir1.2-gst-rtsp-server-1.0. Run with /usr/bin/python3.
"""

import argparse
import json
import os
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mount", nargs=2, action="append", metavar=("PATH", "LAUNCH"), default=[])
    parser.add_argument("--port", default="0")
    opts = parser.parse_args()
    if not opts.mount:
        parser.error("at least one --mount PATH LAUNCH")

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(opts.port)
    server.set_backlog(256)
    mounts = server.get_mount_points()
    for path, launch in opts.mount:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch)
        factory.set_shared(True)
        mounts.add_factory(path, factory)
    if server.attach(None) == 0:
        emit({"event": "error", "message": "cannot listen"})
        return 1
    emit(
        {
            "event": "ready",
            "url": "rtsp://127.0.0.1:%d" % server.get_bound_port(),
            "pid": os.getpid(),
        }
    )

    loop = GLib.MainLoop()

    def commands():
        for line in sys.stdin:
            try:
                if json.loads(line).get("cmd") == "exit":
                    break
            except ValueError:
                continue
        GLib.idle_add(loop.quit)

    threading.Thread(target=commands, daemon=True).start()
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
