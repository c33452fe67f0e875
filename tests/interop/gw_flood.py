# SPDX-License-Identifier: GPL-2.0-or-later
"""Malformed SIP for tests/interop/gw_flood.sh: bad input sent to the
gateway at 127.0.0.1 (UDP and TCP ports) for SECONDS, at most MAX messages,
while live calls run through it.  What it sends, in turn:

  garbage bytes, truncated requests, huge headers, bad Content-Length,
  missing mandatory headers (Via, From, To, Call-ID, CSeq), wrong versions,
  BYE/ACK/CANCEL/re-INVITE for dialogs that do not exist (random Call-IDs
  and tags), oversize datagrams (64 KB); on TCP the same, plus streams
  that never finish a message (idle after half a header, or one byte at a
  time) and streams closed in the middle of a body.

Requests that do parse go to 999, a number the dial plan refuses, so the
flood takes no B-channel and leaves no call behind.  Only 127.0.0.1;
bounded in time and count; seeded, so a run can be repeated (SEED).  Prints one line: what was sent, by kind.

usage: gw_flood.py UDP_PORT TCP_PORT SECONDS MAX [SEED]
"""
import random
import socket
import sys
import time

HOST = "127.0.0.1"
port, tport = int(sys.argv[1]), int(sys.argv[2])
seconds, limit = float(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 7)

udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((HOST, 0))
udp.setblocking(False)
udp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
me = udp.getsockname()[1]


def hexid(n=16):
    return "%0*x" % (n, rnd.getrandbits(4 * n))


SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio 9 RTP/AVP 8\r\n")


def request(method="INVITE", version="SIP/2.0", drop=(), body="", clen=None,
            totag=False, extra=()):
    """A request from a caller that does not exist (random Call-ID)."""
    hdr = [
        ("Via", "SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s" % (me, hexid())),
        ("From", "<sip:flood@127.0.0.1>;tag=%s" % hexid(8)),
        ("To", "<sip:999@127.0.0.1>" + (";tag=%s" % hexid(8) if totag else "")),
        ("Call-ID", "flood-%s@127.0.0.1" % hexid()),
        ("CSeq", "%d %s" % (rnd.randint(1, 9), method)),
        ("Max-Forwards", "70"),
        ("Contact", "<sip:flood@127.0.0.1:%d>" % me),
    ]
    hdr = [(k, v) for k, v in hdr if k not in drop] + list(extra)
    if body:
        hdr.append(("Content-Type", "application/sdp"))
    hdr.append(("Content-Length", str(len(body)) if clen is None else clen))
    head = "%s sip:999@127.0.0.1:%d %s\r\n" % (method, port, version)
    head += "".join("%s: %s\r\n" % kv for kv in hdr)
    return (head + "\r\n" + body).encode("latin-1")


def garbage():
    return bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 1400)))


def truncated():
    m = request(body=SDP)
    return m[:rnd.randint(1, len(m) - 1)]


def huge_header():
    return request(extra=[("Subject", "x" * rnd.choice((4000, 20000, 60000)))],
                   body=SDP)


def bad_length():
    return request(body=SDP, clen=rnd.choice(("99999", "-5", "abc", "3", "",
                                              "18446744073709551617")))


def missing():
    return request(drop=(rnd.choice(("Via", "From", "To", "Call-ID", "CSeq")),),
                   body=SDP)


def bad_version():
    return request(version=rnd.choice(("SIP/3.0", "HTTP/1.1", "sip/2.0", "SIP/2",
                                       "SIP/2.0 extra", "")))


def no_dialog():
    method = rnd.choice(("BYE", "ACK", "CANCEL", "INVITE", "INFO", "UPDATE"))
    return request(method=method, totag=method != "CANCEL",
                   body=SDP if method == "INVITE" else "")


def odd():
    return rnd.choice((
        b"\r\n\r\n" * 50,
        b"INVITE\0sip:999@127.0.0.1 SIP/2.0\r\n\r\n",
        request(extra=[("Via", "SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s" % (me, hexid()))] * 80),
        request(method="X" * 3000),
        b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\n"
        b"CSeq: 1 INVITE\r\nCall-ID: nothing\r\nContent-Length: 0\r\n\r\n",
        request(body="v=0\r\nm=audio 99999999 RTP/AVP 8\r\nc=IN IP4\r\n"),
        request(extra=[("To", "<sip:a@b>;tag=" + "t" * 5000)]),
    ))


def oversize():
    return b"OPTIONS sip:999@127.0.0.1 SIP/2.0\r\nSubject: " + b"y" * 65000


KINDS = [garbage, truncated, huge_header, bad_length, missing, bad_version,
         no_dialog, no_dialog, odd, oversize]
sent = {}


def count(kind):
    sent[kind] = sent.get(kind, 0) + 1


def tcp_open():
    s = socket.create_connection((HOST, tport), timeout=1)
    s.setblocking(False)
    return s


def tcp_send(s, data):
    try:
        s.send(data)
        return True
    except (BlockingIOError, OSError):
        return False


# Streams that never finish: half a header, then nothing (the stack must
# time them out or drop them, never wait on them), and one that trickles.
stalled = []
for _ in range(8):
    try:
        s = tcp_open()
        tcp_send(s, b"INVITE sip:999@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.")
        stalled.append(s)
        count("tcp-stalled")
    except OSError:
        count("tcp-refused")
try:
    trickle = tcp_open()
except OSError:
    trickle = None
    count("tcp-refused")
trickle_msg = request(method="OPTIONS")
trickle_at = 0

end = time.monotonic() + seconds
n = 0
tcp = None
while n < limit and time.monotonic() < end:
    kind = rnd.choice(KINDS)
    data = kind()
    if rnd.random() < 0.8:
        try:
            udp.sendto(data[:65507], (HOST, port))
            count(kind.__name__)
        except (BlockingIOError, OSError):
            count("udp-full")
    else:
        # TCP: a stream of bad messages; sometimes closed mid-message.
        try:
            if tcp is None:
                tcp = tcp_open()
            if not tcp_send(tcp, data) or rnd.random() < 0.2:
                tcp.close()
                tcp = None
            count("tcp-" + kind.__name__)
        except OSError:
            tcp = None
            count("tcp-refused")
    if trickle is not None and trickle_at < len(trickle_msg) and n % 20 == 0:
        tcp_send(trickle, trickle_msg[trickle_at:trickle_at + 1])
        trickle_at += 1
    try:
        while udp.recv(70000):
            pass  # the gateway's answers (4xx, 481, 513): read and dropped
    except (BlockingIOError, OSError):
        pass
    n += 1
    if n % 50 == 0:
        time.sleep(0.02)  # bounded rate: about 2000 messages a second at most

for s in stalled + [x for x in (trickle, tcp) if x is not None]:
    s.close()
print("sent %d:" % n, " ".join("%s=%d" % kv for kv in sorted(sent.items())))
