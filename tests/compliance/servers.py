"""Real local servers for the sending-domain checks: a DNS server (dnslib, UDP and TCP on
one port) answering from a zone the test edits, and an HTTP server serving pages the test
sets."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dnslib import AAAA, MX, QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class Zone(BaseResolver):
    """``records[(name, type)] = [values]``; a name with no records at all is NXDOMAIN."""

    def __init__(self):
        self.records: dict[tuple[str, str], list[str]] = {}

    def set(self, name: str, rtype: str, *values: str) -> None:
        self.records[(name.lower(), rtype)] = list(values)

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        rtype = QTYPE[request.q.qtype]
        if not any(key[0] == name for key in self.records):
            reply.header.rcode = RCODE.NXDOMAIN
        for value in self.records.get((name, rtype), []):
            rdata = {"TXT": lambda v: TXT([v[i:i + 255] for i in range(0, len(v), 255)]),
                     "A": A, "AAAA": AAAA, "MX": MX}[rtype](value)
            reply.add_answer(RR(request.q.qname, request.q.qtype, rdata=rdata, ttl=60))
        return reply


class DNS:
    def __init__(self):
        self.zone = Zone()
        logger = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data",
                           prefix=False)
        for _ in range(50):  # a free UDP port whose TCP twin is free too
            self.udp = DNSServer(self.zone, address="127.0.0.1", port=0, logger=logger)
            self.port = self.udp.server.server_address[1]
            try:
                self.tcp = DNSServer(self.zone, address="127.0.0.1", port=self.port,
                                     tcp=True, logger=logger)
                break
            except OSError:
                self.udp.server.server_close()
        else:
            raise RuntimeError("no port free for UDP and TCP both")
        self.udp.start_thread()
        self.tcp.start_thread()

    def stop(self):
        self.udp.stop()
        self.tcp.stop()


class Web:
    """``pages[path] = (status, body, headers)``."""

    def __init__(self):
        pages = self.pages = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                status, body, headers = pages.get(self.path, (404, "not found", {}))
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                for key, value in {"Content-Type": "text/html; charset=utf-8",
                                   **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
