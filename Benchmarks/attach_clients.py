#!/usr/bin/env python3
"""Attached clients for Benchmarks/run's `attach` workload: waits for the one run socket in DIR, connects COUNT
clients to it as `metajob attach` would (hello, then read every frame until the run's process closes the socket),
and prints one JSON line: frames read per client and, for each, the seconds from connect to its snapshot frame.

    attach_clients.py DIR COUNT

Standard library only."""
import json
import os
import socket
import sys
import threading
import time


def wait_for_socket(directory, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for root, _, files in os.walk(directory):
            for name in files:
                if name.endswith(".sock"):
                    return os.path.join(root, name)
        time.sleep(0.005)
    raise SystemExit(f"no run socket appeared under {directory} within {timeout} s")


def client(path, out, i):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    start = time.perf_counter()
    s.connect(path)
    s.sendall(b'{"hello":{"version":1,"client":"bench"}}\n')
    frames, snapshot_at, pending = 0, None, b""
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        pending += chunk
        lines = pending.split(b"\n")
        pending = lines.pop()
        for line in lines:
            frames += 1
            if snapshot_at is None and line.startswith(b'{"snapshot"'):
                snapshot_at = time.perf_counter() - start
    s.close()
    out[i] = {"frames": frames, "snapshot_s": snapshot_at}


def main():
    directory, count = sys.argv[1], int(sys.argv[2])
    path = wait_for_socket(directory)
    out = [None] * count
    threads = [threading.Thread(target=client, args=(path, out, i)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
