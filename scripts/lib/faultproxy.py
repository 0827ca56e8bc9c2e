#!/usr/bin/env python3
"""An HTTP proxy on 127.0.0.1 that injects faults between verso and an S3 server.

    faultproxy.py --listen PORT --upstream PORT [--rate 0.1] [--faults LIST] [--seed N] [--stats FILE]

Each request is forwarded to the upstream server; with probability --rate its answer is replaced by a
fault chosen from --faults (comma-separated):
  500         HTTP 500 InternalError
  503         HTTP 503 SlowDown
  reset       the connection is closed without an answer
  truncate    the answer's headers promise the whole body, half of it is sent, then the connection closes
  latency     the answer comes 0.5-2 s late
  drip        the answer's body is sent a few bytes at a time over about a second
  corrupt     one byte of a GET's body is changed (verso must notice by its hash)
  corrupt-up  one byte of a PUT's body is changed before it reaches the server (Content-MD5 must catch it)
The counts of requests and injected faults are written as JSON to --stats on SIGTERM/SIGINT.
"""
import argparse
import http.client
import json
import random
import signal
import socket
import socketserver
import sys
import threading
import time

FAULTS = ["500", "503", "reset", "truncate", "latency", "drip", "corrupt", "corrupt-up"]
lock = threading.Lock()
counts = {"requests": 0}


def count(name):
    with lock:
        counts[name] = counts.get(name, 0) + 1


def error_body(code, message):
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
            "<RequestId>faultproxy</RequestId></Error>" % (code, message)).encode()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        upstream = None
        try:
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    return
                if not line.strip():
                    continue
                method, target, _ = line.decode("latin-1").split(" ", 2)
                headers = []
                while True:
                    h = self.rfile.readline(65537)
                    if h in (b"\r\n", b"\n", b""):
                        break
                    name, value = h.decode("latin-1").split(":", 1)
                    headers.append((name.strip(), value.strip()))
                lower = {n.lower(): v for n, v in headers}
                if lower.get("expect", "").lower() == "100-continue":
                    self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                    self.wfile.flush()
                body = self.rfile.read(int(lower.get("content-length", "0")))
                count("requests")
                fault = None
                if random.random() < args.rate:
                    choices = [f for f in args.faults
                               if (f != "corrupt" or method == "GET") and (f != "corrupt-up" or (method == "PUT" and body))]
                    fault = random.choice(choices) if choices else None
                if fault:
                    count(fault)
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    return
                if fault in ("500", "503"):
                    code, status, text = ("InternalError", 500, "Internal Server Error") if fault == "500" \
                        else ("SlowDown", 503, "Slow Down")
                    self.answer(status, text, [("Content-Type", "application/xml")], error_body(code, text))
                    continue
                if fault == "corrupt-up":
                    i = random.randrange(len(body))
                    body = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1:]
                if upstream is None:
                    upstream = http.client.HTTPConnection("127.0.0.1", args.upstream, timeout=120)
                forward = [(n, v) for n, v in headers if n.lower() not in ("expect", "connection", "content-length")]
                upstream.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for n, v in forward:
                    upstream.putheader(n, v)
                upstream.putheader("Content-Length", str(len(body)))
                upstream.endheaders(body)
                resp = upstream.getresponse()
                data = resp.read()
                out = [(n, v) for n, v in resp.getheaders()
                       if n.lower() not in ("transfer-encoding", "connection", "content-length")]
                if fault == "latency":
                    time.sleep(random.uniform(0.5, 2.0))
                if fault == "corrupt" and data:
                    i = random.randrange(len(data))
                    data = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
                if fault == "truncate" and len(data) > 1:
                    head = self.head(resp.status, resp.reason, out, len(data))
                    self.wfile.write(head + data[:len(data) // 2])
                    self.wfile.flush()
                    return
                if fault == "drip" and data:
                    self.wfile.write(self.head(resp.status, resp.reason, out, len(data)))
                    step = max(1, len(data) // 20)
                    for i in range(0, len(data), step):
                        self.wfile.write(data[i:i + step])
                        self.wfile.flush()
                        time.sleep(0.05)
                    continue
                self.answer(resp.status, resp.reason, out, data)
        except (ConnectionError, socket.timeout, ValueError, http.client.HTTPException):
            return
        finally:
            if upstream is not None:
                upstream.close()

    @staticmethod
    def head(status, reason, headers, length):
        lines = ["HTTP/1.1 %d %s" % (status, reason)] + ["%s: %s" % h for h in headers]
        lines.append("Content-Length: %d" % length)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def answer(self, status, reason, headers, data):
        self.wfile.write(self.head(status, reason, headers, len(data)) + data)
        self.wfile.flush()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global args
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--upstream", type=int, required=True)
    p.add_argument("--rate", type=float, default=0.1)
    p.add_argument("--faults", default=",".join(FAULTS))
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--stats", default=None)
    args = p.parse_args()
    args.faults = [f for f in args.faults.split(",") if f]
    unknown = [f for f in args.faults if f not in FAULTS]
    if unknown:
        sys.exit("faultproxy: unknown faults %s (known: %s)" % (unknown, ", ".join(FAULTS)))
    random.seed(args.seed)
    server = Server(("127.0.0.1", args.listen), Handler)

    def stop(*_):
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump(counts, f)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("faultproxy listening on 127.0.0.1:%d -> 127.0.0.1:%d" % (args.listen, args.upstream), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
