#!/usr/bin/python3
"""GStreamer peer of the join benchmark's encoder case: gst-rtsp-server serving a live test
pattern encoded as it is captured, through one shared media, as rtsp-edge serves its test pattern
through its encoder.

Pipeline: videotestsrc is-live=true ! WxH at FPS ! x264enc (zerolatency, ultrafast, GOP of --gop
frames, --bitrate kbit/s; openh264enc when x264enc is missing) ! baseline ! rtph264pay name=pay0
config-interval=-1. A joining client gets no keyframe on request: it waits for the next one.

Protocol (JSON lines): prints {"event":"ready","url":...,"pid":...}; {"cmd":"exit"} on stdin ends it.

Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and the GStreamer good and ugly (x264enc)
or bad (openh264enc) plugins. Run with /usr/bin/python3 (the system interpreter that has gi).
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


def encoder(gop, kbps):
    if Gst.ElementFactory.find("x264enc"):
        return (
            "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=%d bitrate=%d "
            "! video/x-h264,profile=baseline" % (gop, kbps)
        )
    return "openh264enc gop-size=%d bitrate=%d ! video/x-h264,profile=baseline" % (
        gop,
        kbps * 1000,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--gop", type=int, default=30)
    parser.add_argument("--kbps", type=int, default=2000)
    parser.add_argument("--path", default="/stream")
    opts = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service("0")
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        "( videotestsrc is-live=true pattern=smpte "
        "! video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1 ! %s "
        "! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        % (opts.width, opts.height, opts.fps, encoder(opts.gop, opts.kbps))
    )
    factory.set_shared(True)
    server.get_mount_points().add_factory(opts.path, factory)
    if server.attach(None) == 0:
        emit({"event": "error", "message": "cannot listen"})
        return 1
    emit(
        {
            "event": "ready",
            "url": "rtsp://127.0.0.1:%d%s" % (server.get_bound_port(), opts.path),
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
