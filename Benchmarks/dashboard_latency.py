#!/usr/bin/env python3
"""Dashboard speed: key-press -> redraw latency and CPU of `metajob run` (the dashboard) under load.

1,000 jobs (10 levels x 100, each depending on the previous level), 100 running at once, each printing
1,000 lines/s for ~2 s, so ~100,000 lines/s arrive in total for ~20 s. The dashboard runs in a detached
tmux session on a private socket; keys are sent with `tmux send-keys` and the pane is polled with
`tmux capture-pane -p` until it changes. The same loop against `cat` gives tmux's own floor.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

LEVELS, WIDTH, CONCURRENCY = 10, 100, 100
SECONDS_PER_JOB, LINES_PER_TICK, TICKS_PER_SECOND = 2, 100, 10
LINES_PER_JOB = SECONDS_PER_JOB * TICKS_PER_SECOND * LINES_PER_TICK


def write_definition(path):
    ticks = SECONDS_PER_JOB * TICKS_PER_SECOND
    command = ("awk 'BEGIN{for(i=0;i<%d;i++){for(j=0;j<%d;j++)print \"tick\",i,\"line\",j; fflush(); "
               "system(\"sleep %.2f\")}}'" % (ticks, LINES_PER_TICK, 1.0 / TICKS_PER_SECOND))
    with open(path, "w") as f:
        f.write(f"name: dashbench\nmax_concurrent_running_jobs: {CONCURRENCY}\njobs:\n")
        for level in range(LEVELS):
            for i in range(WIDTH):
                deps = f"l{level - 1}j{i}" if level else ""
                f.write(f"  - job_name: l{level}j{i}\n    depends_on: [{deps}]\n    command: {json.dumps(command)}\n")


class Tmux:
    def __init__(self):
        self.socket = f"dashbench-{os.getpid()}-{time.time_ns()}"

    def run(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=check)

    def start(self, name, command):
        self.run("new-session", "-d", "-s", name, "-x", "200", "-y", "50", command)

    def pane_pid(self, name):
        return int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").stdout.strip())

    def capture(self, name):
        return self.run("capture-pane", "-p", "-t", name).stdout

    def kill_server(self):
        self.run("kill-server", check=False)


def key_latencies(tmux, name, keys, count, timeout=5.0):
    """Seconds from send-keys returning to the first capture that differs from the one before it."""
    out = []
    for n in range(count):
        before = tmux.capture(name)
        tmux.run("send-keys", "-t", name, keys[n % len(keys)])
        sent = time.monotonic()
        while True:
            now = tmux.capture(name)
            t = time.monotonic()
            if now != before:
                out.append(t - sent)
                break
            if t - sent > timeout:
                out.append(float("nan"))
                break
        time.sleep(0.05)
    return out


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def children(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += f.read().split()
    except FileNotFoundError:
        pass
    return kids


def find_metajob(shell_pid):
    """The pane runs the binary directly, so the pane pid is metajob itself."""
    return shell_pid


def stats(xs):
    ok = sorted(x for x in xs if x == x)
    if not ok:
        return {"median_ms": None, "p95_ms": None, "n": 0, "timeouts": len(xs)}
    p95 = ok[min(len(ok) - 1, int(round(0.95 * (len(ok) - 1))))]
    return {"median_ms": round(statistics.median(ok) * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "n": len(ok), "timeouts": len(xs) - len(ok)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", default=".build/release/metajob")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    ap.add_argument("--presses", type=int, default=30)
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    a = ap.parse_args()
    if not shutil.which("tmux"):
        sys.exit("dashboard_latency: tmux is missing; install it (apt-get install tmux) and run again.")
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f"dashboard_latency: no metajob binary at {binary}; build it (swift build -c release) or pass --binary.")
    hz = os.sysconf("SC_CLK_TCK")
    tmp = tempfile.mkdtemp(prefix="dashbench-")
    definition, history = os.path.join(tmp, "dashbench.yaml"), os.path.join(tmp, "history.sqlite")
    write_definition(definition)
    tmux = Tmux()
    result = {"load_before": open("/proc/loadavg").read().split()[:3], "jobs": LEVELS * WIDTH,
              "concurrency": CONCURRENCY, "lines_per_job": LINES_PER_JOB}
    try:
        # Floor: tmux's own send/capture round trip against cat echoing the key.
        tmux.start("floor", "cat")
        time.sleep(0.5)
        result["floor"] = stats(key_latencies(tmux, "floor", ["x"], a.presses))

        tmux.start("dash", f"{binary} run {definition} --history {history}")
        pid = tmux.pane_pid("dash")
        deadline = time.monotonic() + 30
        while len(children(pid)) < CONCURRENCY // 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        busy_start, ticks_start = time.monotonic(), cpu_ticks(pid)
        result["busy"] = stats(key_latencies(tmux, "dash", ["j", "k"], a.presses))
        busy_end, ticks_end = time.monotonic(), cpu_ticks(pid)
        result["busy_cores"] = round((ticks_end - ticks_start) / hz / (busy_end - busy_start), 3)
        result["busy_window_s"] = round(busy_end - busy_start, 1)
        # Wait for the run to end: no job processes for 2 s.
        quiet_since = None
        while True:
            if children(pid):
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > 2:
                break
            if time.monotonic() - busy_start > 600:
                break
            time.sleep(0.05)
        run_end = quiet_since or time.monotonic()
        result["run_cores_total"] = round((cpu_ticks(pid) - ticks_start) / hz / (run_end - busy_start), 3)
        # Line rate: every job prints a fixed number of lines; the jobs ran between ~start and the end.
        result["line_rate_per_s"] = round(LEVELS * WIDTH * LINES_PER_JOB / (run_end - busy_start))
        t0, c0 = time.monotonic(), cpu_ticks(pid)
        time.sleep(a.idle_seconds)
        result["idle_cores"] = round((cpu_ticks(pid) - c0) / hz / (time.monotonic() - t0), 4)
        result["idle_keys"] = stats(key_latencies(tmux, "dash", ["j", "k"], 10))
    finally:
        tmux.kill_server()
        shutil.rmtree(tmp, ignore_errors=True)
    result["load_after"] = open("/proc/loadavg").read().split()[:3]
    print(f"load before {' '.join(result['load_before'])}, after {' '.join(result['load_after'])}")
    print(f"{'measure':34} {'value':>12}  target")
    print(f"{'key->redraw busy median / p95 ms':34} {result['busy']['median_ms']!s:>5} / {result['busy']['p95_ms']!s:<5}  <= 50 ms")
    print(f"{'tmux floor (cat) median / p95 ms':34} {result['floor']['median_ms']!s:>5} / {result['floor']['p95_ms']!s:<5}")
    print(f"{'key->redraw idle median / p95 ms':34} {result['idle_keys']['median_ms']!s:>5} / {result['idle_keys']['p95_ms']!s:<5}")
    print(f"{'cores while keys pressed (busy)':34} {result['busy_cores']:>12}  < 1")
    print(f"{'cores over whole run':34} {result['run_cores_total']:>12}  < 1")
    print(f"{'cores idle (finished run shown)':34} {result['idle_cores']:>12}  ~0")
    print(f"{'log lines/s (average over run)':34} {result['line_rate_per_s']:>12}  ~100000")
    if a.json:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
