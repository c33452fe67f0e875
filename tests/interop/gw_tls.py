#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A SIP-over-TLS client on Python's ssl module (OpenSSL underneath, but no
code of ours), for gw_tls.sh: it checks the gateway's TLS port as a peer
would see it.

  gw_tls.py CA PORT options    OPTIONS over TLS, verifying the server
                               certificate against CA and 127.0.0.1; 200;
                               then a CRLF ping: CRLF pong
  gw_tls.py CA PORT call NUM   INVITE sips:NUM@127.0.0.1, ACK the 200, BYE
  gw_tls.py CA PORT plaintext  plaintext OPTIONS on the TLS port: closed
  gw_tls.py CA PORT badname    verify the server as gw.invalid: refused
  gw_tls.py CA PORT uas CERT KEY  a phone on PORT over TLS: the gateway's
                               INVITE (sips:, Via TLS), 180, 200, ACK, BYE

Exit status 0 on success; what went wrong on stderr.
"""
import socket
import ssl
import sys
import uuid

HOST = "127.0.0.1"


def connect(ca, port, name=HOST):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    raw = socket.create_connection((HOST, port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname=name)


class Peer:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.local = "%s:%d" % sock.getsockname()[:2]

    def send(self, text):
        self.sock.sendall(text.replace("\n", "\r\n").encode())

    def recv(self):
        """One message, framed by Content-Length (RFC 3261 §18.3)."""
        while b"\r\n\r\n" not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise EOFError("connection closed")
            self.buf += data
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        clen = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() in (b"content-length", b"l"):
                clen = int(value)
        while len(rest) < clen:
            rest += self.sock.recv(4096)
        self.buf = rest[clen:]
        return (head + b"\r\n\r\n" + rest[:clen]).decode(errors="replace")

    def final(self):
        """Skip provisional responses; the final one."""
        while True:
            msg = self.recv()
            if not msg.startswith("SIP/2.0 1"):
                return msg


def header(msg, name):
    for line in msg.split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def request(p, method, ruri, cseq, call_id, to_tag="", extra="", body=""):
    p.send(
        f"{method} {ruri} SIP/2.0\n"
        f"Via: SIP/2.0/TLS {p.local};branch=z9hG4bK{uuid.uuid4().hex[:16]};rport\n"
        f"From: <sips:tester@{HOST}>;tag=py1\n"
        f"To: <{ruri.split(';')[0]}>{';tag=' + to_tag if to_tag else ''}\n"
        f"Call-ID: {call_id}\nCSeq: {cseq} {method}\nMax-Forwards: 70\n"
        f"{extra}Content-Length: {len(body.replace(chr(10), chr(13) + chr(10)).encode())}\n\n"
        + body
    )


def fail(why):
    print(why, file=sys.stderr)
    sys.exit(1)


def options(ca, port):
    p = Peer(connect(ca, port))
    request(p, "OPTIONS", f"sips:{HOST}", 1, uuid.uuid4().hex)
    r = p.final()
    if not r.startswith("SIP/2.0 200") or "SIP/2.0/TLS" not in header(r, "Via"):
        fail("OPTIONS: " + r)
    # RFC 5626 §3.5.1 keep-alive: a CRLF ping gets a CRLF pong.
    p.sock.sendall(b"\r\n\r\n")
    pong = p.sock.recv(16)
    if pong != b"\r\n":
        fail("CRLF ping over TLS answered %r" % pong)


def call(ca, port, num):
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind((HOST, 0))
    sdp = (f"v=0\no=- 1 1 IN IP4 {HOST}\ns=-\nc=IN IP4 {HOST}\nt=0 0\n"
           f"m=audio {rtp.getsockname()[1]} RTP/AVP 8\na=rtpmap:8 PCMA/8000\n")
    p = Peer(connect(ca, port))
    cid, ruri = uuid.uuid4().hex, f"sips:{num}@{HOST}"
    request(p, "INVITE", ruri, 1, cid,
            extra=f"Contact: <sips:tester@{p.local}>\nContent-Type: application/sdp\n",
            body=sdp)
    r = p.final()
    if not r.startswith("SIP/2.0 200"):
        fail("INVITE: " + r)
    contact = header(r, "Contact") or header(r, "m")
    if not contact.startswith("<sips:"):
        fail("a SIPS request over TLS wants a SIPS Contact (RFC 3261 §8.1.1.8): " + contact)
    tag = header(r, "To").split("tag=")[1].split(";")[0]
    target = contact.strip("<>").split(">")[0]
    request(p, "ACK", target, 1, cid, to_tag=tag)
    request(p, "BYE", target, 2, cid, to_tag=tag)
    r = p.final()
    if not r.startswith("SIP/2.0 200"):
        fail("BYE: " + r)


def plaintext(port):
    s = socket.create_connection((HOST, port), timeout=10)
    s.sendall(b"OPTIONS sip:127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n")
    try:
        data = s.recv(4096)
    except ConnectionResetError:
        data = b""
    if data.startswith(b"SIP/"):
        fail("plaintext was answered: %r" % data[:60])


def badname(ca, port):
    try:
        connect(ca, port, "gw.invalid")
    except ssl.SSLCertVerificationError:
        return
    fail("a certificate without gw.invalid was accepted")


def uas(port, cert, key, seconds, ready):
    """Answer one call over TLS as a phone would; the gateway hangs up.
    `ready` (a path) is created once the socket listens."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    lsock = socket.create_server((HOST, port))
    lsock.settimeout(seconds)
    open(ready, "w").close()
    conn, _ = lsock.accept()
    p = Peer(ctx.wrap_socket(conn, server_side=True))
    p.sock.settimeout(seconds)
    inv = p.recv()
    if not inv.startswith("INVITE sips:") or "SIP/2.0/TLS" not in header(inv, "Via"):
        fail("the gateway's INVITE: " + inv)
    if not (header(inv, "Contact") or header(inv, "m")).startswith("<sips:"):
        fail("a SIPS INVITE wants a SIPS Contact: " + inv)
    sdp = (f"v=0\no=- 1 1 IN IP4 {HOST}\ns=-\nc=IN IP4 {HOST}\nt=0 0\n"
           f"m=audio 9 RTP/AVP 8\na=rtpmap:8 PCMA/8000\n").replace("\n", "\r\n")
    vias = "".join(f"{line}\n" for line in inv.split("\r\n") if line.lower().startswith("via:"))
    common = (vias + f"From: {header(inv, 'From')}\nTo: {header(inv, 'To')};tag=uas1\n"
              f"Call-ID: {header(inv, 'Call-ID')}\nCSeq: {header(inv, 'CSeq')}\n")
    p.send("SIP/2.0 180 Ringing\n" + common + "Content-Length: 0\n\n")
    p.send("SIP/2.0 200 OK\n" + common + f"Contact: <sips:phone@{HOST}:{port}>\n"
           f"Content-Type: application/sdp\nContent-Length: {len(sdp)}\n\n")
    p.sock.sendall(sdp.encode())
    if not p.recv().startswith("ACK "):
        fail("no ACK")
    bye = p.recv()
    if not bye.startswith("BYE "):
        fail("no BYE: " + bye)
    vias = "".join(f"{line}\n" for line in bye.split("\r\n") if line.lower().startswith("via:"))
    p.send("SIP/2.0 200 OK\n" + vias + f"From: {header(bye, 'From')}\n"
           f"To: {header(bye, 'To')}\nCall-ID: {header(bye, 'Call-ID')}\n"
           f"CSeq: {header(bye, 'CSeq')}\nContent-Length: 0\n\n")


def main():
    ca, port, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    try:
        if what == "uas":
            uas(port, sys.argv[4], sys.argv[5], 120, sys.argv[6])
        elif what == "options":
            options(ca, port)
        elif what == "call":
            call(ca, port, sys.argv[4])
        elif what == "plaintext":
            plaintext(port)
        elif what == "badname":
            badname(ca, port)
        else:
            fail("unknown test " + what)
    except (OSError, EOFError, IndexError) as e:
        fail(f"{what}: {e}")


if __name__ == "__main__":
    main()
