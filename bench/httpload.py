"""A small HTTP/1.1 load generator: N keep-alive connections, each sending GET / back to back.

    python bench/httpload.py PORT [--clients 100] [--warmup 1] [--seconds 4]

Prints ``{"rps": ..., "requests": ..., "errors": ...}``, counting only responses that
arrive after the warm-up. Standard library only, and as cheap per request as asyncio
allows, so that the server under test (not this process) is the bottleneck.
"""

import argparse
import asyncio
import json
import time

REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


class Client(asyncio.Protocol):
    def __init__(self, stats):
        self.stats = stats
        self.buffer = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(REQUEST)

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            length = 0
            for line in head.split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line[15:])
            if len(self.buffer) < end + 4 + length:
                return
            ok = head.startswith(b"http/1.1 200")
            self.buffer = self.buffer[end + 4 + length :]
            if self.stats["counting"]:
                self.stats["requests" if ok else "errors"] += 1
            self.transport.write(REQUEST)

    def connection_lost(self, exc):
        if self.stats["counting"]:
            self.stats["errors"] += 1


async def run(port, clients, warmup, seconds):
    loop = asyncio.get_running_loop()
    stats = {"counting": False, "requests": 0, "errors": 0}
    transports = []
    for _ in range(clients):
        transport, _ = await loop.create_connection(lambda: Client(stats), "127.0.0.1", port)
        transports.append(transport)
    await asyncio.sleep(warmup)
    stats["counting"] = True
    start = time.perf_counter()
    await asyncio.sleep(seconds)
    stats["counting"] = False
    elapsed = time.perf_counter() - start
    for transport in transports:
        transport.close()
    return {
        "rps": stats["requests"] / elapsed,
        "requests": stats["requests"],
        "errors": stats["errors"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.port, args.clients, args.warmup, args.seconds))))


if __name__ == "__main__":
    main()
