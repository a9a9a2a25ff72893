#!/usr/bin/env python3
"""Dashboard speed: key press -> redraw latency and CPU of `metajob run` with its dashboard, under a log flood.

    Benchmarks/dashboard_latency.py [--binary PATH] [--presses 40] [--json] [--json-out PATH]

The workload: 1,000 jobs (10 levels x 100, each depending on one job of the level before) at concurrency 50;
each job writes fixed-size lines at a steady pace (2,000 lines/s for 1.5 s), so while the run is going about
100,000 lines a second arrive in total. The achieved rate is read from the run history (lines recorded during
the key-press window), not assumed.

metajob runs in a 200x50 pane of a detached tmux server on a private socket (`-f /dev/null`: no user config).
Each key press is timed from just before `tmux send-keys` to the first `tmux capture-pane -p` that shows the
change that key must make (the selected job's name in the details title for j/k, the left pane's title for
t and l, the focused border's colour for Tab); the pane is polled in a tight loop. The same loop against
`cat` (the terminal's echo) gives tmux's own floor, reported next to it.

CPU: utime+stime of the metajob process (/proc/PID/stat) over the key-press window / its wall time; the same
for a headless run (`--no-tui`) of the same definition over a window as long (the dashboard's share is the
difference); and, once the run has finished with the dashboard left open, the ticks it uses in 10 s.

Every wait has a deadline and says what did not happen; --timeout bounds the whole script. Exit status: 0
measured, 1 something could not be measured (the message says what), 2 a prerequisite is missing.
Standard library only.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

LEVELS, WIDTH = 10, 100
DETAILS = re.compile(r"Details: (\S+)")
DAG_TITLE = re.compile(r"Jobs: \d+, \d+ levels?")
LIST_TITLE = re.compile(r"Jobs: \d+ of \d+")
# One job: `rate` lines/s of 80 bytes for `seconds`, paced against the clock (not by sleeping a fixed time per
# batch, which would drift under load), one write per tick. Perl starts in ~2 ms; python would cost the run
# a visible share of the two cores in start-ups alone.
JOB_SCRIPT = r"""
use Time::HiRes qw(time sleep);
$| = 1;
my ($rate, $seconds, $tick) = @ARGV;
my $name = $ENV{METAJOB_JOB_NAME} // "job";
my $total = int($rate * $seconds + 0.5);
my $per = int($rate * $tick + 0.5) || 1;
my $start = time;
my $i = 0;
while ($i < $total) {
    my $out = "";
    for (1 .. $per) {
        last if $i >= $total;
        $out .= sprintf("%-10s line %07d %s\n", $name, $i, "x" x 54);
        $i++;
    }
    print $out;
    my $wait = $start + $i / $rate - time;
    sleep($wait) if $wait > 0;
}
"""


class Failure(Exception):
    """Something could not be measured; the text says what and what to try."""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def write_definition(path, jobs, concurrency, rate_per_job, seconds, tick):
    width = min(WIDTH, jobs)
    entries = []
    for n in range(jobs):
        level, i = divmod(n, width)
        entries.append({"job_name": f"l{level}j{i}", "depends_on": [f"l{level - 1}j{i}"] if level else [],
                        "command": ["perl", "-e", JOB_SCRIPT, str(rate_per_job), str(seconds), str(tick)]})
    with open(path, "w") as f:
        json.dump({"name": "dashbench", "max_concurrent_running_jobs": concurrency, "jobs": entries}, f)


class Tmux:
    """A private tmux server (own socket, no config file); every command has a timeout."""

    def __init__(self, env):
        self.socket = f"dashbench-{os.getpid()}-{time.time_ns()}"
        self.env = env

    def run(self, *args, check=True, timeout=10):
        argv = ["tmux", "-L", self.socket, "-f", "/dev/null", *args]
        try:
            p = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"`tmux {' '.join(args)}` did not answer within {timeout} s; is the tmux server stuck?")
        if check and p.returncode != 0:
            raise Failure(f"`tmux {' '.join(args)}` failed ({p.returncode}): {p.stderr.strip()}")
        return p

    def start(self, name, command):
        self.run("new-session", "-d", "-s", name, "-x", "200", "-y", "50", command)
        # A pane whose program exits closes at once, taking its last screen with it; keep it for diagnosis.
        self.run("set-option", "-t", name, "remain-on-exit", "on")

    def pane_pid(self, name):
        return int(self.run("display-message", "-p", "-t", name, "#{pane_pid}").stdout.strip())

    def pane_dead(self, name):
        p = self.run("display-message", "-p", "-t", name, "#{pane_dead}", check=False)
        return p.returncode != 0 or p.stdout.strip() == "1"

    def capture(self, name, escapes=False):
        return self.run("capture-pane", "-p", *(["-e"] if escapes else []), "-t", name).stdout

    def send(self, name, key):
        self.run("send-keys", "-t", name, key)

    def kill_server(self):
        try:
            self.run("kill-server", check=False, timeout=5)
        except Failure:
            pass


def wait_for(what, seconds, probe, interval=0.05):
    """Polls `probe` until it returns something truthy; raises Failure naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(interval)


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        raise Failure(f"process {pid} is gone: metajob exited early (see the pane's last screen above)")
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)


def process_name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


class History:
    """Read-only look at the run history metajob writes (WAL: reading never blocks the writer)."""

    def __init__(self, path):
        self.path = path

    def _query(self, sql):
        if not os.path.exists(self.path):
            return None
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
            try:
                return db.execute(sql).fetchone()
            finally:
                db.close()
        except sqlite3.OperationalError:
            return None  # not created yet, or mid-migration

    def lines(self):
        row = self._query("SELECT coalesce(sum(lines), 0) FROM log_chunks")
        return row[0] if row else 0

    def run(self):
        """(state, started_at, ended_at) of the one run, or None before it is recorded."""
        return self._query("SELECT state, started_at, ended_at FROM runs ORDER BY id DESC LIMIT 1")


def stats(xs):
    ok = sorted(x for x in xs if x is not None)
    if not ok:
        return {"n": 0, "timeouts": len(xs), "median_ms": None, "p95_ms": None, "max_ms": None}
    p95 = ok[min(len(ok) - 1, max(0, -(-95 * len(ok) // 100) - 1))]  # nearest rank
    return {"n": len(ok), "timeouts": len(xs) - len(ok), "median_ms": round(statistics.median(ok) * 1000, 2),
            "p95_ms": round(p95 * 1000, 2), "max_ms": round(ok[-1] * 1000, 2)}


def timed_press(tmux, name, key, changed, timeout, escapes=False):
    """Seconds from just before `send-keys` to the capture that satisfies `changed`; None after `timeout`."""
    start = time.perf_counter()
    tmux.send(name, key)
    while True:
        screen = tmux.capture(name, escapes)
        now = time.perf_counter()
        if changed(screen):
            return now - start
        if now - start > timeout:
            return None


def floor_press(tmux, timeout):
    """One round trip through tmux alone: `cat` in a pane, the terminal echoing the key (the kernel draws it)."""
    # A script run types a few hundred x's at most: they all stay on the 200x50 screen.
    before = tmux.capture("floor").count("x")
    return timed_press(tmux, "floor", "x", lambda s, b=before: s.count("x") > b, timeout)


def floor_latencies(tmux, presses, timeout):
    """tmux's own round trip before the flood (an otherwise quiet pane)."""
    tmux.start("floor", "exec cat")
    wait_for("the floor pane (cat) to start", 10, lambda: process_name(tmux.pane_pid("floor")) == "cat")
    out = []
    for _ in range(presses):
        out.append(floor_press(tmux, timeout))
    # The session stays until the server goes: killing the last session ends the server, and the next
    # new-session could race that exit ("server exited unexpectedly"). An idle cat costs nothing.
    return out


def selected(screen):
    m = DETAILS.search(screen)
    return m.group(1) if m else None


def title_row(screen):
    """The pane-titles row (of a capture with colours): what a focus change (Tab) redraws."""
    rows = screen.split("\n")
    return rows[2] if len(rows) > 2 else ""


def key_plan(count, view="list"):
    """Keys that each must change the frame in a way the capture can see, in a cycle that ends where it began
    (`view`, the graph pane focused): j k j k (selection), t t (timeline, then the DAG), l (the list; in the
    DAG view a second l goes back), Tab x3 (focus details, logs, graph)."""
    cycle = ["j", "k", "j", "k", "t", "t", "l"] + (["l"] if view == "dag" else []) + ["Tab", "Tab", "Tab"]
    return [cycle[i % len(cycle)] for i in range(count)]


def dashboard_latencies(tmux, name, keys, timeout, floor=None):
    """Times each key; returns [(key, seconds or None)]. The expected change is checked, not just "something
    changed": under the flood the log pane changes 30 times a second whatever the keys do. With `floor` (a
    list), each press is followed by one through tmux alone (the cat pane), appended there: tmux's floor under
    the same load, at the same moments."""
    out = []
    if selected(tmux.capture(name)) is None:
        raise Failure("the dashboard shows no 'Details: <job>' title; is it drawing the run? (pane captured above)")
    for key in keys:
        screen = tmux.capture(name)
        before = selected(screen)
        if key in ("j", "k"):
            # The list and the DAG always have a job below the first and above the second: j k j k moves.
            changed = lambda s, b=before: (selected(s) or b) != b
        elif key == "t" and "Timeline:" not in screen:
            changed = lambda s: "Timeline:" in s
        elif key == "t":
            changed = lambda s: "Timeline:" not in s and DAG_TITLE.search(s) is not None
        elif key == "l":
            want = DAG_TITLE if LIST_TITLE.search(screen) else LIST_TITLE
            changed = lambda s, w=want: w.search(s) is not None
        elif key == "Tab":
            # Only the borders' colours change: compare the titles row of captures with escapes.
            row = title_row(tmux.capture(name, escapes=True))
            changed = lambda s, r=row: title_row(s) != r
        else:
            raise ValueError(key)
        out.append((key, timed_press(tmux, name, key, changed, timeout, escapes=key == "Tab")))
        if floor is not None:
            floor.append(floor_press(tmux, timeout))
        # Let the frame settle so the next press starts from a drawn state.
        time.sleep(0.02)
    return out


class SyscallTrace:
    """`perf trace` on metajob's threads (not its jobs): the time from the read that takes a key off the
    terminal to the next write of a frame to it, inside metajob, without tmux or this script's polling.
    Optional (needs perf and the right to trace); threads started after it attaches are not seen, so the
    number of keys it matched is reported with the figures."""

    LINE = re.compile(r"\s*([\d.]+) \(\s*([\d.]+) ms\): \S+ (read|write)\(fd: (\d+),.*= (-?\d+)")

    def __init__(self, pid, path):
        self.path = path
        self.tty_fds = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("/dev/pts/"):
                    self.tty_fds.add(int(fd))
            except OSError:
                pass
        self.proc = subprocess.Popen(["perf", "trace", "--no-inherit", "-p", str(pid), "-e", "read,write",
                                      "-o", path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)  # attaching to every thread takes a moment
        self.problem = None
        if self.proc.poll() is not None:
            self.problem = (f"perf trace could not attach to metajob: {self.proc.stderr.read().strip()[:200]} "
                            "(run as root or lower kernel.perf_event_paranoid); the figure inside metajob is left out")
            log("  warning: " + self.problem)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def latencies(self):
        """Seconds from each key read to the first frame write after it."""
        events = []
        with open(self.path, errors="replace") as f:
            for line in f:
                m = self.LINE.match(line)
                if not m or int(m[4]) not in self.tty_fds:
                    continue
                start, took, call, result = float(m[1]), float(m[2]), m[3], int(m[5])
                if call == "read" and result > 0:
                    events.append((start, "read"))
                elif call == "write":
                    events.append((start + took, "write"))
        out, pending = [], None
        for t, kind in events:
            if kind == "read" and pending is None:
                pending = t
            elif kind == "write" and pending is not None:
                out.append((t - pending) / 1000)
                pending = None
        return out


def dump_pane(tmux, name):
    try:
        log(f"--- last screen of tmux pane {name} ---\n" + tmux.capture(name).rstrip() + "\n---")
    except Failure:
        pass


def headless_cores(binary, definition, history, env, warmup, window, deadline_s):
    """CPU of `metajob run --no-tui` on the same definition over `window` seconds of its flood."""
    proc = subprocess.Popen([binary, "run", definition, "--no-tui", "--history", history], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    h = History(history)
    try:
        wait_for("the headless run to start recording output", deadline_s, lambda: h.lines() > 0)
        time.sleep(warmup)
        t0, c0, l0 = time.monotonic(), cpu_ticks(proc.pid), h.lines()
        time.sleep(window)
        t1, c1, l1 = time.monotonic(), cpu_ticks(proc.pid), h.lines()
        if proc.poll() is not None:
            raise Failure(f"the headless run ended inside its {window:.0f} s measurement window; raise --job-seconds")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # stops the jobs as a user's Ctrl-C would
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    hz = os.sysconf("SC_CLK_TCK")
    return {"cores": round((c1 - c0) / hz / (t1 - t0), 3), "window_s": round(t1 - t0, 2),
            "lines_per_s": round((l1 - l0) / (t1 - t0))}


def measure(a, binary, tmp, env):
    hz = os.sysconf("SC_CLK_TCK")
    rate_per_job = a.rate / a.concurrency
    lines_per_job = int(rate_per_job * a.job_seconds + 0.5)
    definition = os.path.join(tmp, "dashbench.json")
    history_path = os.path.join(tmp, "history.sqlite")
    write_definition(definition, a.jobs, a.concurrency, rate_per_job, a.job_seconds, a.tick)
    if a.past_runs:
        # Earlier runs of the same meta job give every job an expected duration: the dashboard then shows the
        # ETA, time left and the critical path while keys are timed. Their log lines are dropped from the
        # count so the flood's figures stay those of the measured run.
        for i in range(a.past_runs):
            log(f"past run {i + 1}/{a.past_runs} (headless), for expected durations")
            subprocess.run([binary, "run", definition, "--no-tui", "--history", history_path], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        db = sqlite3.connect(history_path)
        with db:
            db.execute("DELETE FROM log_chunks")
        db.close()
    result = {"view": a.view, "past_runs": a.past_runs, "jobs": a.jobs, "concurrency": a.concurrency, "target_lines_per_s": a.rate,
              "lines_per_job": lines_per_job, "job_seconds": a.job_seconds, "pane": "200x50",
              "load_before": open("/proc/loadavg").read().split()[:3]}
    tmux = Tmux(env)
    try:
        log("floor: tmux send-keys -> capture-pane against cat's echo")
        result["floor"] = stats(floor_latencies(tmux, a.floor_presses, a.key_timeout))

        log("dashboard: starting the 1,000-job flood in a 200x50 pane")
        tmux.start("dash", f"exec {shlex.quote(binary)} run {shlex.quote(definition)} --history {shlex.quote(history_path)}")
        pid = tmux.pane_pid("dash")
        def started():
            if tmux.pane_dead("dash"):
                raise Failure("metajob exited at once in the tmux pane (its last screen is above)")
            return process_name(pid) == os.path.basename(binary)[:15]  # comm is cut at 15 bytes
        wait_for("metajob to start in the tmux pane", 10, started)
        history = History(history_path)
        wait_for("the dashboard to draw the run (a 'Details:' title)", 30,
                 lambda: selected(tmux.capture("dash")) is not None)
        wait_for("the first job output in the history", 30, lambda: history.lines() > 0)
        time.sleep(a.warmup)

        if a.view == "dag":
            # 1,000 jobs open as the list (the DAG is drawn up to 2,000 but opens as the list above 200).
            tmux.send("dash", "l")
            wait_for("the DAG view after l", 10, lambda: DAG_TITLE.search(tmux.capture("dash")) is not None)
        keys = key_plan(a.presses, a.view)
        trace = SyscallTrace(pid, os.path.join(tmp, "perf-trace.txt")) if a.perf_trace else None
        floor_busy = []
        try:
            t0, c0, l0 = time.monotonic(), cpu_ticks(pid), history.lines()
            timed = dashboard_latencies(tmux, "dash", keys, a.key_timeout, floor_busy)
            t1, c1, l1 = time.monotonic(), cpu_ticks(pid), history.lines()
        finally:
            if trace:
                trace.stop()
        if trace and trace.problem:
            result["inside_metajob_problem"] = trace.problem
        elif trace:
            inside = trace.latencies()
            result["inside_metajob"] = stats(inside)
            result["inside_metajob_samples_ms"] = [round(x * 1000, 2) for x in inside]
            log(f"  inside metajob (perf trace, {len(inside)} of {len(keys)} keys matched): {result['inside_metajob']}")
        state = history.run()
        if state and state[0] != "running":
            raise Failure("the run ended during the key presses, so they were not measured under the flood; "
                          "raise --job-seconds")
        window = t1 - t0
        result["busy"] = stats([s for _, s in timed])
        result["floor_busy"] = stats(floor_busy)
        result["floor_busy_samples_ms"] = [None if x is None else round(x * 1000, 2) for x in floor_busy]
        result["busy_by_key"] = {k: stats([s for kk, s in timed if kk == k]) for k in dict.fromkeys(keys)}
        result["busy_samples_ms"] = [[k, None if s is None else round(s * 1000, 2)] for k, s in timed]
        result["busy_window_s"] = round(window, 2)
        result["busy_cores"] = round((c1 - c0) / hz / window, 3)
        # The recorder commits every ~100 ms, so the count lags by at most that at both ends.
        result["busy_lines_per_s"] = round((l1 - l0) / window)
        result["load_busy"] = open("/proc/loadavg").read().split()[:3]
        log(f"  keys: {result['busy']}, cores {result['busy_cores']}, lines/s {result['busy_lines_per_s']}")

        expected_s = a.jobs * a.job_seconds / a.concurrency
        wait_for("the run to finish (history state)", expected_s * 4 + 60,
                 lambda: (history.run() or ("running",))[0] != "running", interval=0.2)
        state, started, ended = history.run()
        result["run_state"] = state
        wait_for("the dashboard to show the final state", 10,
                 lambda: state.upper() in tmux.capture("dash").split("\n")[0])
        total = history.lines()
        result["lines_total"] = total
        result["lines_expected"] = a.jobs * lines_per_job
        result["run_seconds"] = round(ended - started, 2) if ended else None
        result["run_lines_per_s"] = round(total / (ended - started)) if ended else None
        if total != a.jobs * lines_per_job:
            log(f"  warning: {total} lines recorded, {a.jobs * lines_per_job} written")

        time.sleep(1.0)  # the last frames and the history's final batch
        i0, ic0 = time.monotonic(), cpu_ticks(pid)
        time.sleep(a.idle_seconds)
        i1, ic1 = time.monotonic(), cpu_ticks(pid)
        result["idle_ticks"] = ic1 - ic0
        result["idle_seconds"] = round(i1 - i0, 2)
        result["idle_cores"] = round((ic1 - ic0) / hz / (i1 - i0), 4)
        result["idle"] = stats([s for _, s in dashboard_latencies(tmux, "dash", key_plan(a.idle_presses, a.view), a.key_timeout)])
        log(f"  idle: {result['idle_ticks']} ticks in {result['idle_seconds']} s; keys {result['idle']}")

        tmux.send("dash", "q")
        wait_for("metajob to exit after q", 15, lambda: tmux.pane_dead("dash"), interval=0.1)
    except Failure:
        if "dash" in (tmux.run("list-sessions", "-F", "#{session_name}", check=False).stdout.split()):
            dump_pane(tmux, "dash")
        raise
    finally:
        tmux.kill_server()

    if a.baseline:
        log("headless: the same definition with --no-tui, CPU over a window as long")
        # A window as long as the presses took, up to 5 s: the flood lasts ~30 s, the presses' window can be
        # longer than that on a machine busy with other work.
        result["headless"] = headless_cores(binary, definition, os.path.join(tmp, "headless.sqlite"), env,
                                            a.warmup, min(5.0, result["busy_window_s"]), 30)
        result["dashboard_share_cores"] = round(result["busy_cores"] - result["headless"]["cores"], 3)
    result["load_after"] = open("/proc/loadavg").read().split()[:3]
    return result


def print_summary(r):
    f = r["floor"]
    b = r["busy"]
    i = r["idle"]
    print(f"load average before {' '.join(r['load_before'])}, during keys {' '.join(r['load_busy'])}, "
          f"after {' '.join(r['load_after'])}")
    print(f"{'measure':44} {'value':>22}  target")
    print(f"{'key->redraw under flood p50 / p95 / max ms':44} {b['median_ms']:>6} / {b['p95_ms']:>6} / {b['max_ms']:>6}  < 50 ms"
          + (f"  ({b['timeouts']} timed out)" if b["timeouts"] else ""))
    fb = r["floor_busy"]
    print(f"{'  tmux floor (cat echo), quiet p50 / p95 ms':44} {f['median_ms']:>6} / {f['p95_ms']:>6}")
    print(f"{'  tmux floor under the flood p50 / p95 / max':44} {fb['median_ms']:>6} / {fb['p95_ms']:>6} / {fb['max_ms']:>6}")
    if "inside_metajob" in r:
        m = r["inside_metajob"]
        print(f"{'  inside metajob: key read -> frame write':44} {m['median_ms']!s:>6} / {m['p95_ms']!s:>6} / {m['max_ms']!s:>6}"
              f"  ({m['n']} keys matched, perf trace)")
    for k, s in r["busy_by_key"].items():
        print(f"{'  key ' + k + ' p50 / max ms':44} {s['median_ms']!s:>6} / {s['max_ms']!s:>6}")
    print(f"{'key->redraw idle (run over) p50 / max ms':44} {i['median_ms']!s:>6} / {i['max_ms']!s:>6}")
    print(f"{'log lines/s during the key presses':44} {r['busy_lines_per_s']:>22}  ~{r['target_lines_per_s']}")
    print(f"{'metajob CPU during the key presses (cores)':44} {r['busy_cores']:>22}  < 1")
    if "headless" in r:
        print(f"{'  headless same flood (cores, lines/s)':44} {r['headless']['cores']:>13}, {r['headless']['lines_per_s']:>7}")
        print(f"{'  the dashboard share (cores)':44} {r['dashboard_share_cores']:>22}")
    print(f"{'idle, finished run shown: ticks in ' + str(r['idle_seconds']) + ' s':44} {r['idle_ticks']:>22}  ~0")
    print(f"{'whole run: s, lines/s, lines stored/written':44} {r['run_seconds']!s:>6}, {r['run_lines_per_s']!s:>6}, "
          f"{r['lines_total'] == r['lines_expected']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/metajob")
    ap.add_argument("--presses", type=int, default=40, help="key presses under the flood (default 40)")
    ap.add_argument("--floor-presses", type=int, default=40)
    ap.add_argument("--idle-presses", type=int, default=10)
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    ap.add_argument("--view", choices=["list", "dag"], default="list",
                    help="the left pane during the presses: the list (how 1,000 jobs open) or the drawn DAG")
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--rate", type=int, default=100_000, help="lines per second in total while jobs run")
    ap.add_argument("--job-seconds", type=float, default=1.5, help="how long each job writes")
    ap.add_argument("--past-runs", type=int, default=0,
                    help="headless runs of the same meta job first, so the dashboard has estimates (foresight on)")
    ap.add_argument("--tick", type=float, default=0.02, help="a job writes once per tick")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of flood before the first key")
    ap.add_argument("--key-timeout", type=float, default=2.0, help="a key not shown after this counts as timed out")
    ap.add_argument("--no-baseline", dest="baseline", action="store_false",
                    help="skip the headless run that separates the dashboard's CPU from the runner's")
    ap.add_argument("--perf-trace", action="store_true",
                    help="also time key read -> frame write inside metajob with `perf trace` (root or perf rights)")
    ap.add_argument("--timeout", type=float, default=600, help="the whole script's deadline in seconds")
    ap.add_argument("--json", action="store_true", help="print the results as JSON after the summary")
    ap.add_argument("--json-out", metavar="PATH", help="write the results as JSON to PATH")
    a = ap.parse_args()
    if not shutil.which("tmux"):
        print("dashboard_latency: tmux is missing; install it (apt-get install tmux) and run again.", file=sys.stderr)
        sys.exit(2)
    if not shutil.which("perl"):
        print("dashboard_latency: perl is missing (the jobs are perl one-liners); install perl.", file=sys.stderr)
        sys.exit(2)
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        print(f"dashboard_latency: no metajob binary at {binary}; build it (swift build -c release) or pass "
              "--binary PATH.", file=sys.stderr)
        sys.exit(2)

    def overall(signum, frame):
        raise Failure(f"the whole measurement took longer than --timeout {a.timeout:.0f} s")
    signal.signal(signal.SIGALRM, overall)
    signal.alarm(int(a.timeout))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGS_", "VDK_DAGS_", "METAJOB_", "TMUX"))}
    env["LC_ALL"] = "C.UTF-8"
    tmp = tempfile.mkdtemp(prefix="dashbench-")
    try:
        result = measure(a, binary, tmp, env)
    except Failure as e:
        print(f"dashboard_latency: {e}", file=sys.stderr)
        sys.exit(1)
    finally:
        signal.alarm(0)
        shutil.rmtree(tmp, ignore_errors=True)
    print_summary(result)
    text = json.dumps(result, indent=2)
    if a.json_out:
        with open(a.json_out, "w") as f:
            f.write(text + "\n")
    if a.json:
        print(text)


if __name__ == "__main__":
    main()
