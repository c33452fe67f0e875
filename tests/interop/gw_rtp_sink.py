# SPDX-License-Identifier: GPL-2.0-or-later
"""An RTP sink for the gateway's interop tests: binds 127.0.0.1 on an
ephemeral port, prints the port, then counts RTP packets (RTCP is not
counted) until SIGTERM or the time limit (seconds, argv[1]), and prints
"<packets> <payload types...>"."""
import signal
import socket
import sys
import time

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(0.1)
n, pts, stop = 0, set(), [False]
signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
end = time.monotonic() + float(sys.argv[1] if len(sys.argv) > 1 else 10)
while not stop[0] and time.monotonic() < end:
    try:
        d = s.recv(2048)
    except (socket.timeout, InterruptedError):
        continue
    # RTP version 2; RTCP's packet types 200-204 read as 72-76 here.
    if len(d) >= 12 and d[0] >> 6 == 2 and not 72 <= d[1] & 0x7F <= 76:
        n += 1
        pts.add(d[1] & 0x7F)
print(n, *sorted(pts), flush=True)
