#!/usr/bin/env python3
"""Remote status checks, fixed vs timed by expectation: VEP-1243 Appendix A's shape (six jobs, three levels)
scaled down with its E/S kept (E = 2.25 s, S = 0.1 s: E/S = 22.5), run by metajob against a loopback Control
Service this script serves itself.

    remote_checks.py METAJOB WORKDIR RUNS  -> JSON on stdout: per mode, requests per run and noticing delays

Fixed: runs with --no-history (no expectation: one check per interval). Timed: runs recording into a history
that one warm-up run started (the warm-up counts as a fixed sample), so the expectations are what metajob
itself recorded. The modes alternate. Noticing delay = the time of the first status read of an execution at
or after its end, minus its end (both on this service's clock). Standard library only.
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RUN_SECONDS = 2.25
INTERVAL = 0.1
JOBS = [("job-1", []), ("job-2", ["job-1"]), ("job-3", ["job-1"]), ("job-4", ["job-1"]),
        ("job-5", ["job-2", "job-3"]), ("job-6", ["job-4"])]


class Service:
    """Executions that run RUN_SECONDS from their start; every API request is logged with its time."""

    def __init__(self):
        self.lock = threading.Lock()
        self.executions = {}  # id -> dict(job, start, end, started_by)
        self.requests = []  # (time, method, path)
        self.count = 0

    def reset(self):
        with self.lock:
            self.executions.clear()
            self.requests.clear()


def handler_for(service):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def setup(self):
            super().setup()
            # No Nagle: an answer must not wait for the client's delayed ACK (40 ms), which would be measured.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def reply(self, status, body, headers=()):
            data = json.dumps(body).encode()
            head = [f"HTTP/1.1 {status} {'OK' if status < 300 else 'Error'}", "Content-Type: application/json",
                    f"Content-Length: {len(data)}"] + [f"{k}: {v}" for k, v in headers]
            # One write: headers and body in the same segment.
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
            self.wfile.flush()

        def do_POST(self):
            now = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            parts = self.path.split("?")[0].strip("/").split("/")
            with service.lock:
                service.requests.append((now, "POST", self.path))
                service.count += 1
                job = parts[4]
                eid = f"{job}-{service.count}"
                service.executions[eid] = {"job": job, "start": now, "end": now + RUN_SECONDS,
                                           "started_by": body.get("started_by", "")}
            self.reply(202, {}, [("Location", f"/data-jobs/for-team/{parts[2]}/jobs/{job}/executions/{eid}")])

        def do_GET(self):
            now = time.monotonic()
            path = self.path.split("?")[0]
            parts = path.strip("/").split("/")
            with service.lock:
                service.requests.append((now, "GET", path))
                if len(parts) == 7 and parts[5] == "executions":
                    e = service.executions.get(parts[6])
                    if e is None:
                        return self.reply(404, {"messages": ["no execution"]})
                    status = "running" if now < e["end"] else "succeeded"
                    return self.reply(200, {"id": parts[6], "status": status, "started_by": e["started_by"]})
                if len(parts) == 8 and parts[7] == "logs":
                    return self.reply(200, {"logs": ""})
                if len(parts) == 6 and parts[5] == "executions":
                    return self.reply(200, [])
            self.reply(404, {"messages": ["unknown path"]})

    return Handler


def definition(url):
    lines = ["name: appendix-a", "team: bench", "executor: remote", f"control_service_url: {url}",
             f"time_between_status_check_seconds: {INTERVAL}", "jobs:"]
    for name, deps in JOBS:
        lines += [f"  - job_name: {name}", f"    depends_on: [{', '.join(deps)}]"]
    return "\n".join(lines) + "\n"


def measure_run(service, metajob, workdir, history):
    service.reset()
    args = [metajob, "run", "pipeline.yaml", "--no-tui"] + (["--history", history] if history else ["--no-history"])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGS_", "VDK_", "METAJOB_"))}
    p = subprocess.run(args, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise SystemExit(f"metajob exited {p.returncode}: {p.stderr[-500:]}")
    with service.lock:
        requests = list(service.requests)
        executions = dict(service.executions)
    delays = []
    for eid, e in executions.items():
        reads = [t for t, m, path in requests if m == "GET" and path.endswith("/executions/" + eid) and t >= e["end"]]
        delays.append(min(reads) - e["end"] if reads else float("nan"))
    return {"requests": len(requests), "status_checks": sum(1 for _, m, p in requests
                                                            if m == "GET" and "/executions/" in p and not p.endswith("/logs")),
            "delays": delays}


def main():
    metajob, workdir, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    service = Service()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(service))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with open(os.path.join(workdir, "pipeline.yaml"), "w") as f:
            f.write(definition(f"http://127.0.0.1:{server.server_address[1]}"))
        history = os.path.join(workdir, "history.sqlite")
        out = {"fixed": [], "timed": []}
        # The warm-up records the history the timed runs take their expectations from; it has none itself.
        out["fixed"].append(measure_run(service, metajob, workdir, history))
        for _ in range(runs):
            out["fixed"].append(measure_run(service, metajob, workdir, None))
            out["timed"].append(measure_run(service, metajob, workdir, history))
        summary = {}
        for mode, samples in out.items():
            delays = [d for s in samples for d in s["delays"]]
            summary[mode] = {"runs": len(samples), "requests_median": statistics.median(s["requests"] for s in samples),
                             "status_checks_median": statistics.median(s["status_checks"] for s in samples),
                             "delay_median_s": statistics.median(delays), "delay_max_s": max(delays)}
        print(json.dumps({"summary": summary, "samples": out, "run_seconds": RUN_SECONDS, "interval_s": INTERVAL}))
    finally:
        server.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
