#!/usr/bin/python3
"""GStreamer peer of the fan-out benchmark: gst-rtsp-server serving the same access units as
rtsp-edge, paced at the same frame rate, looped, through one shared media.

Pipeline: appsrc (live, timestamped on push) ! h264parse ! rtph264pay name=pay0 config-interval=-1.
The access units come from the .aus file written by bench/clip.ts (4-byte big-endian length, then
the Annex B bytes of one access unit), so both servers send byte-identical frames. A pusher thread
sends frame i at t0 + i/fps against the monotonic clock, without drift.

A pad probe on pay0's src pad notes, for every frame, its RTP timestamp and the wall time its first
packet left the payloader, i.e. before the fan-out to the clients: that is the "sent" time the
benchmark compares client arrivals with.

Protocol (JSON lines): prints {"event":"ready","url":...,"pid":...}; on stdin takes
{"cmd":"report","from":ms,"to":ms} (wall clock) and answers {"event":"report","frames":[[rtp,
sentAt],...]}; {"cmd":"exit"} ends it.

Needs Debian's python3-gi, gir1.2-gst-rtsp-server-1.0 and the GStreamer good and bad plugins.
Run with /usr/bin/python3 (the system interpreter that has gi).
"""

import argparse
import json
import struct
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def emit(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def read_access_units(path):
    data = open(path, "rb").read()
    units, at = [], 0
    while at + 4 <= len(data):
        (n,) = struct.unpack_from(">I", data, at)
        units.append(data[at + 4 : at + 4 + n])
        at += 4 + n
    return units


class Source:
    """Pushes access units into the shared media's appsrc at a steady rate, looping."""

    def __init__(self, units, fps):
        self.units = units
        self.fps = fps
        self.frames = []  # (rtp timestamp, wall ms of its first packet out of the payloader)
        self.last_rtp = None
        self.stop = threading.Event()
        self.thread = None
        self.appsrc = None

    def configure(self, media):
        bin_ = media.get_element()
        self.appsrc = bin_.get_by_name("src")
        pay = bin_.get_by_name("pay0")
        pay.get_static_pad("src").add_probe(
            Gst.PadProbeType.BUFFER | Gst.PadProbeType.BUFFER_LIST, self.probe
        )
        if self.thread is None:
            self.thread = threading.Thread(target=self.push, daemon=True)
            self.thread.start()

    def probe(self, _pad, info):
        # A buffer list holds the packets of one NAL unit, so of one frame: its first packet is
        # enough. Reading one header per push keeps the probe's own CPU small.
        if info.type & Gst.PadProbeType.BUFFER_LIST:
            blist = info.get_buffer_list()
            if blist.length() == 0:
                return Gst.PadProbeReturn.OK
            buf = blist.get(0)
        else:
            buf = info.get_buffer()
        head = buf.extract_dup(0, 8)
        if len(head) == 8:
            rtp = struct.unpack_from(">I", head, 4)[0]
            if rtp != self.last_rtp:
                self.last_rtp = rtp
                self.frames.append((rtp, time.time() * 1000.0))
        return Gst.PadProbeReturn.OK

    def push(self):
        interval = 1.0 / self.fps
        start = time.monotonic()
        i = 0
        while not self.stop.is_set():
            delay = start + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -1.0:
                start = time.monotonic() - i * interval  # suspended: skip ahead, no burst
            unit = self.units[i % len(self.units)]
            buf = Gst.Buffer.new_wrapped(unit)
            ret = self.appsrc.emit("push-buffer", buf)
            if ret != Gst.FlowReturn.OK and ret != Gst.FlowReturn.FLUSHING:
                emit({"event": "warning", "message": "push-buffer returned %s" % ret})
            i += 1

    def report(self, start, end):
        return [[rtp, at] for (rtp, at) in list(self.frames) if start <= at < end]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--aus", required=True)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--path", default="/stream")
    parser.add_argument("--port", default="0")
    opts = parser.parse_args()

    Gst.init(None)
    source = Source(read_access_units(opts.aus), opts.fps)

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(opts.port)
    server.set_backlog(1024)  # the default (5) refuses a burst of connecting clients
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        "( appsrc name=src is-live=true do-timestamp=true format=time "
        "caps=video/x-h264,stream-format=byte-stream,alignment=au "
        "! h264parse ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )
    factory.set_shared(True)
    factory.connect("media-configure", lambda _f, media: source.configure(media))
    server.get_mount_points().add_factory(opts.path, factory)
    if server.attach(None) == 0:
        emit({"event": "error", "message": "cannot listen"})
        return 1
    import os

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
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("cmd") == "report":
                emit({"event": "report", "frames": source.report(msg["from"], msg["to"])})
            elif msg.get("cmd") == "exit":
                break
        source.stop.set()
        GLib.idle_add(loop.quit)

    threading.Thread(target=commands, daemon=True).start()
    loop.run()
    emit({"event": "closed"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
