#!/usr/bin/env python3
"""Attach speed: a job's state change in the runner -> the attached dashboard's redrawn frame, under a log flood.

    Benchmarks/attach_latency.py [--binary PATH] [--changes 40] [--json] [--json-out PATH]

The workload is dashboard_latency.py's flood: 1,000 jobs (10 levels x 100, each depending on one job of the
level before) at concurrency 50, each writing 80-byte lines at 2,000 lines/s, so ~100,000 lines a second arrive
in total (the achieved rate is read back from the run history). Each job writes for 4 s instead of 1.5 s, so the
flood lasts long enough for the samples on a slow machine. Every job has `fail_dag_on_error: false`: a cancelled
job ends only itself, its dependent starts and the flood goes on.

The run is started with `metajob run --detach --linger 0` (a background process in its own session, no
terminal) with a private XDG_RUNTIME_DIR, so its control socket is the only one there. `metajob attach RUN`
runs in a 200x50 pane of a detached tmux server on a private socket (`-f /dev/null`: no user config).

The dashboard is the run's only steady reader. Each sample cancels the running job that started last (per the
history) with `metajob cancel RUN JOB`, as a user would from another terminal: a connection of its own (hello,
snapshot, the command, its answer; the protocol is the README's "Attach and control"). The runner sends the job
SIGTERM and, when it has exited, changes its state to `cancelled`, stamping the event with its wall clock; the
history records that stamp (job_events.time). Only these cancels make a job `cancelled`, so the header's
"N cancelled" count (the second screen row) goes up by one exactly when the attached dashboard has drawn that
change. The pane is polled with `tmux capture-pane -p` in a tight loop from the moment `metajob cancel` starts;
a sample is the time from the runner's stamp of the change to the end of the first capture that shows the new
count. How long `metajob cancel` and the run took to act on it is reported apart and not included. Next to it:
tmux's own round trip (`send-keys` to a `cat` pane's echo, as dashboard_latency.py measures it: quiet before
the flood, and again after every sample in it). Nothing is subtracted. A cancel that changed nothing (the job
ended first, or `metajob cancel` gave up) is dropped and counted, not timed; a change not drawn within
--timeout-per-change of the runner's stamp counts as timed out. If the flood ends before --changes, the samples
so far stand (at least --min-changes).

(Why not a connection of this script's own that stays open: it must read the flood too, and a second steady
reader made the dashboard's figure several times worse on a busy 2-core machine.)

CPU: utime+stime of the run's process, of the attached dashboard and of this script over the sampling window.

Every wait has a deadline and says what did not happen; --timeout bounds the whole script. Exit status: 0
measured, 1 something could not be measured (the message says what), 2 a prerequisite is missing.
Standard library only.
"""
import argparse
import glob
import json
import os
import random
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # importing the sibling script must leave no __pycache__ in Benchmarks/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard_latency as dl  # noqa: E402  (the flood's job, tmux, the history reader, the floor, stats)

from dashboard_latency import Failure, log, wait_for  # noqa: E402

WIDTH = 100
CANCELLED = re.compile(r"(\d+) cancelled\b")
STARTED = re.compile(r"started run (\S+)")
FLOOR_TIMEOUT = 2.0  # a key `cat` does not echo within this counts as timed out, as in dashboard_latency.py
FINAL = {"succeeded", "user_error", "platform_error", "cancelled", "skipped", "not_run"}


def write_definition(path, jobs, concurrency, rate_per_job, seconds, tick):
    width = min(WIDTH, jobs)
    entries = []
    for n in range(jobs):
        level, i = divmod(n, width)
        entries.append({"job_name": f"l{level}j{i}", "depends_on": [f"l{level - 1}j{i}"] if level else [],
                        "fail_dag_on_error": False,
                        "command": ["perl", "-e", dl.JOB_SCRIPT, str(rate_per_job), str(seconds), str(tick)]})
    with open(path, "w") as f:
        json.dump({"name": "attachbench", "max_concurrent_running_jobs": concurrency, "jobs": entries}, f)


def cancelled_count(screen):
    """The header's "N cancelled" (row 1); 0 when the dashboard shows no such count (it omits zero counts)."""
    rows = screen.split("\n")
    m = CANCELLED.search(rows[1]) if len(rows) > 1 else None
    return int(m.group(1)) if m else 0


class RunRecord(dl.History):
    """The run's jobs as the history has them (the recorder commits every ~100 ms): which jobs run, and the
    runner's own timestamp of each state change (job_events.time, the event's wall clock)."""

    def rows(self, sql, args=()):
        if not os.path.exists(self.path):
            return []
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
            try:
                return db.execute(sql, args).fetchall()
            finally:
                db.close()
        except sqlite3.OperationalError:
            return []

    def newest_running(self, excluded):
        """The running job that started last (the most of its time left, so the cancel is not refused)."""
        for idx, name in self.rows("SELECT idx, name FROM jobs WHERE run = (SELECT max(id) FROM runs) AND "
                                   "state = 'running' ORDER BY started_at DESC LIMIT 100"):
            if idx not in excluded:
                return idx, name
        return None

    def final(self, job):
        """(state, time of the change) once the job has ended, else None."""
        rows = self.rows("SELECT state, time FROM job_events WHERE run = (SELECT max(id) FROM runs) AND job = ? "
                         "ORDER BY seq DESC LIMIT 1", (job,))
        return rows[0] if rows and rows[0][0] in FINAL else None


def timed_change(tmux, cancel, record, name, job, before, timeout):
    """Starts `cancel(job)` (a `metajob cancel` process) and polls the pane until the header's cancelled count
    passes `before`. Returns a dict of the moments; {"refused": why} when the job ended otherwise (nothing
    changed); {"timeout": why} when it was cancelled but the screen did not show it within `timeout` of the
    change (it still counts as a change). The process is returned under "process" either way."""
    sent_wall = time.time()
    proc = cancel(job)
    seen_wall = final = None
    checked = 0.0
    while True:
        screen = tmux.capture(name)
        now_wall = time.time()
        if cancelled_count(screen) > before:
            seen_wall = now_wall
            break
        if proc.poll() not in (None, 0):
            break  # refused, or the run could not be reached: the history says what became of the job
        # How long the run takes to act on the command is not part of the figure: the clock that counts starts
        # at the change. The history (every ~100 ms) tells when that was, or that the job ended otherwise.
        if now_wall - checked > 0.05:
            checked = now_wall
            final = record.final(job)
            if final and (final[0] != "cancelled" or now_wall - final[1] > timeout):
                break
        if now_wall - sent_wall > 60:
            raise Failure(f"the cancel of job {job} had no effect within 60 s (the run never acted on it)")
    info = {"process": proc}
    if proc.poll() not in (None, 0):
        # `metajob cancel` gave up (it waits 5 s for the run's hello and snapshot) or the run refused: then the
        # job ends as it would have. Its message is kept.
        proc.wait()
        info["cli_error"] = proc.stderr.read().strip()[:200]
    # The history says what became of the job and when the runner changed it (job_events.time: the event's
    # own timestamp, the runner's wall clock).
    state, changed = wait_for(f"the history to record how job {job} ended", 30, lambda: record.final(job), 0.01)
    if state != "cancelled":
        if seen_wall is not None:
            raise Failure(f"the screen showed {before + 1} cancelled, but job {job} ended {state}")
        return dict(info, refused=f"{state} first ({info.get('cli_error') or 'metajob cancel still waiting'})")
    if seen_wall is None:
        return dict(info, timeout=f"cancelled by the runner {1000 * (changed - sent_wall):.1f} ms after the command; "
                                  f"the screen did not show {before + 1} cancelled within {timeout:.1f} s of that")
    return dict(info, from_runner=seen_wall - changed, command_to_change=changed - sent_wall)


def start_detached(binary, definition, history_path, env):
    p = subprocess.run([binary, "run", "--detach", "--linger", "0", "--history", history_path, definition],
                       env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    m = STARTED.search(p.stdout)
    if p.returncode != 0 or not m:
        raise Failure(f"`metajob run --detach` exited {p.returncode}: {(p.stderr or p.stdout).strip()[-300:]}")
    return m.group(1)


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stop_run(stop, pid):
    """Ends the run at once (`metajob stop RUN --now`), then by signals if its process is still there."""
    if pid is None:
        return
    if alive(pid):
        try:
            stop()
        except subprocess.TimeoutExpired:
            log("  `metajob stop --now` did not return within 30 s")
    for sig, wait in ((None, 30), (signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if sig is not None:
            log(f"  the run's process {pid} is still there: {signal.Signals(sig).name}")
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not alive(pid):
                return
            time.sleep(0.1)


def measure(a, binary, tmp, env):
    hz = os.sysconf("SC_CLK_TCK")
    rate_per_job = a.rate / a.concurrency
    definition = os.path.join(tmp, "attachbench.json")
    history_path = os.path.join(tmp, "history.sqlite")
    write_definition(definition, a.jobs, a.concurrency, rate_per_job, a.job_seconds, a.tick)
    runtime = os.path.join(tmp, "runtime")
    os.makedirs(runtime, mode=0o700)
    env = dict(env, XDG_RUNTIME_DIR=runtime)
    result = {"jobs": a.jobs, "concurrency": a.concurrency, "target_lines_per_s": a.rate,
              "job_seconds": a.job_seconds, "pane": "200x50", "changes_asked": a.changes,
              "load_before": open("/proc/loadavg").read().split()[:3]}
    tmux = dl.Tmux(env)
    pid = None
    processes = []

    def cancel(job):
        name = record.rows("SELECT name FROM jobs WHERE run = (SELECT max(id) FROM runs) AND idx = ?", (job,))[0][0]
        p = subprocess.Popen([binary, "cancel", "--history", history_path, run_id, name], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        processes.append(p)
        return p

    def stop():
        subprocess.run([binary, "stop", "--history", history_path, run_id, "--now"], env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=30)

    record = RunRecord(history_path)
    try:
        log("floor: tmux send-keys -> capture-pane against cat's echo")
        result["floor"] = dl.stats(dl.floor_latencies(tmux, a.floor_presses, FLOOR_TIMEOUT))

        log("run: the 1,000-job flood, detached (run --detach --linger 0)")
        run_id = start_detached(binary, definition, history_path, env)
        result["run_id"] = run_id
        path = wait_for("the run's control socket", 10,
                        lambda: (glob.glob(os.path.join(runtime, "metajob", "*.sock")) or [None])[0])
        pid = wait_for("the run's pid in the history", 10,
                       lambda: (record.rows("SELECT pid FROM runs ORDER BY id DESC LIMIT 1") or [(None,)])[0][0])

        log(f"attach: metajob attach {run_id} in a 200x50 pane")
        tmux.start("attach", f"exec {shlex.quote(binary)} attach --history {shlex.quote(history_path)} {run_id}")
        attach_pid = tmux.pane_pid("attach")

        def drawn():
            if tmux.pane_dead("attach"):
                raise Failure("metajob attach exited at once in the tmux pane (its last screen is above)")
            return dl.selected(tmux.capture("attach")) is not None
        wait_for("the attached dashboard to draw the run (a 'Details:' title)", 30, drawn)
        wait_for("the first job output in the history", 30, lambda: record.lines() > 0)
        time.sleep(a.warmup)
        if cancelled_count(tmux.capture("attach")) != 0:
            raise Failure("the dashboard shows cancelled jobs before any cancel was sent")

        samples, floor_busy, refused, timeouts = [], [], [], []
        targeted = set()
        done = 0
        rng = random.Random(12)
        t0, l0 = time.monotonic(), record.lines()
        c0 = (dl.cpu_ticks(pid), dl.cpu_ticks(attach_pid), sum(os.times()[:2]))
        ended_early = False
        while len(samples) + len(timeouts) < a.changes:
            if len(refused) > a.changes:
                raise Failure(f"{len(refused)} cancels were refused (the job ended first); the flood's jobs end too soon")
            state = record.run()
            if not alive(pid) or (state and state[0] != "running"):
                ended_early = True  # on a slow machine the flood can end first: the samples so far stand
                break
            try:
                job, name = wait_for("a running job to cancel (history)", 10,
                                     lambda: record.newest_running(targeted))
            except Failure:
                state = record.run()
                if alive(pid) and state and state[0] == "running":
                    raise
                ended_early = True
                break
            targeted.add(job)
            # Start from a settled frame that shows every earlier change.
            wait_for(f"the dashboard to show {done} cancelled", 10,
                     lambda: cancelled_count(tmux.capture("attach")) == done, interval=0.005)
            r = timed_change(tmux, cancel, record, "attach", job, done, a.timeout_per_change)
            r["job"] = name
            if "refused" in r:
                refused.append(r["refused"])
                log(f"  cancel of {name} not timed: {r['refused']}")
                continue
            done += 1
            if "timeout" in r:
                timeouts.append(r)
                log(f"  change {done}: timed out ({r['timeout']})")
            else:
                samples.append(r)
            floor_busy.append(dl.floor_press(tmux, FLOOR_TIMEOUT))
            time.sleep(rng.uniform(0.02, 0.07))  # no fixed phase against the dashboard's frame pacing
        t1, l1 = time.monotonic(), record.lines()
        c1 = (dl.cpu_ticks(pid), dl.cpu_ticks(attach_pid), sum(os.times()[:2]))
        if len(samples) + len(timeouts) < a.min_changes:
            raise Failure(f"the flood ended after {len(samples) + len(timeouts)} changes, fewer than --min-changes "
                          f"{a.min_changes}; raise --job-seconds")
        if ended_early:
            log(f"  the flood ended after {len(samples) + len(timeouts)} of {a.changes} changes")
        result["flood_ended_early"] = ended_early
        window = t1 - t0
        result["load_busy"] = open("/proc/loadavg").read().split()[:3]
        result["from_runner"] = dl.stats([s["from_runner"] for s in samples] + [None] * len(timeouts))
        result["command_to_change"] = dl.stats([s["command_to_change"] for s in samples])
        # Every `metajob cancel` should have said "cancelled" (exit 0); those still running get 30 s in all.
        deadline = time.monotonic() + 30
        exits = {}
        for p in processes:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
                why = "" if p.returncode == 0 else ": " + (p.stderr.read().strip().splitlines() or [""])[0][:160]
                key = f"exit {p.returncode}{why}"
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                key = "still waiting after 30 s (killed)"
            exits[key] = exits.get(key, 0) + 1
        result["cancel_cli_exits"] = exits
        result["floor_busy"] = dl.stats(floor_busy)
        result["floor_busy_samples_ms"] = [None if x is None else round(x * 1000, 2) for x in floor_busy]
        result["samples_ms"] = [{"job": s["job"], "from_runner": round(s["from_runner"] * 1000, 2),
                                 "command_to_change": round(s["command_to_change"] * 1000, 2)} for s in samples]
        result["timeouts"] = [s["timeout"] for s in timeouts]
        result["refused"] = refused
        result["window_s"] = round(window, 2)
        result["lines_per_s"] = round((l1 - l0) / window)
        result["run_cores"] = round((c1[0] - c0[0]) / hz / window, 3)
        result["attach_cores"] = round((c1[1] - c0[1]) / hz / window, 3)
        result["script_cores"] = round((c1[2] - c0[2]) / window, 3)
        log(f"  state change -> attached frame: {result['from_runner']}, lines/s {result['lines_per_s']}")

        stop_run(stop, pid)
        pid = None
        tmux.send("attach", "q")
        try:
            wait_for("metajob attach to exit after q", 15, lambda: tmux.pane_dead("attach"), interval=0.1)
        except Failure as e:
            log(f"  warning: {e} (the figures above stand)")
    except Failure:
        if "attach" in tmux.run("list-sessions", "-F", "#{session_name}", check=False).stdout.split():
            # The scrollback too: when attach gives up, its error is printed after the terminal is given back.
            screen = tmux.run("capture-pane", "-p", "-J", "-S", "-60", "-t", "attach", check=False).stdout
            log("--- last screen of tmux pane attach ---\n" + screen.strip() + "\n---")
        raise
    finally:
        try:
            stop_run(stop, pid)
        finally:
            for p in processes:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                p.stderr.close()
            tmux.kill_server()
    result["load_after"] = open("/proc/loadavg").read().split()[:3]
    return result


def print_summary(r):
    def triple(s):
        return f"{s['median_ms']!s:>6} / {s['p95_ms']!s:>6} / {s['max_ms']!s:>6}"
    f, fb, m = r["floor"], r["floor_busy"], r["from_runner"]
    print(f"load average before {' '.join(r['load_before'])}, during the changes {' '.join(r['load_busy'])}, "
          f"after {' '.join(r['load_after'])}")
    print(f"{'measure':48} {'value':>22}  target")
    print(f"{'state change->attached frame p50 / p95 / max ms':48} {triple(m)}  p95 < 30 ms  ({m['n']} samples"
          + (f", {m['timeouts']} timed out" if m["timeouts"] else "") + ")")
    print(f"{'  tmux floor (cat echo), quiet p50 / p95 ms':48} {f['median_ms']:>6} / {f['p95_ms']:>6}")
    print(f"{'  tmux floor under the flood p50 / p95 / max':48} {triple(fb)}")
    print(f"{'metajob cancel started -> state change (apart)':48} {triple(r['command_to_change'])}")
    print(f"{'metajob cancel exits':48} {', '.join(f'{n} x {k}' for k, n in r['cancel_cli_exits'].items())}")
    print(f"{'cancels not timed (the job ended first)':48} {len(r['refused']):>22}")
    print(f"{'log lines/s during the changes':48} {r['lines_per_s']:>22}  ~{r['target_lines_per_s']}")
    print(f"{'CPU (cores): run / attach / this script':48} {r['run_cores']:>6} / {r['attach_cores']:>6} / {r['script_cores']:>6}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=".build/release/metajob")
    ap.add_argument("--changes", type=int, default=40, help="job state changes timed under the flood (default 40)")
    ap.add_argument("--floor-presses", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--rate", type=int, default=100_000, help="lines per second in total while jobs run")
    ap.add_argument("--job-seconds", type=float, default=4.0,
                    help="how long each job writes (default 4: dashboard_latency.py's rate, the flood lasts ~80 s)")
    ap.add_argument("--tick", type=float, default=0.02, help="a job writes once per tick")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of flood before the first change")
    ap.add_argument("--min-changes", type=int, default=10,
                    help="fewer changes timed before the flood ends is a failure (default 10)")
    ap.add_argument("--timeout-per-change", type=float, default=30.0,
                    help="a change not shown this long after the runner made it counts as timed out")
    ap.add_argument("--timeout", type=float, default=300, help="the whole script's deadline in seconds")
    ap.add_argument("--json", action="store_true", help="print the results as JSON after the summary")
    ap.add_argument("--json-out", metavar="PATH", help="write the results as JSON to PATH")
    a = ap.parse_args()
    for tool, why in (("tmux", "install it (apt-get install tmux)"), ("perl", "the jobs are perl one-liners")):
        if not shutil.which(tool):
            print(f"attach_latency: {tool} is missing; {why}.", file=sys.stderr)
            sys.exit(2)
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        print(f"attach_latency: no metajob binary at {binary}; build it (swift build -c release) or pass "
              "--binary PATH.", file=sys.stderr)
        sys.exit(2)
    p = subprocess.run([binary, "run", "--help"], capture_output=True, text=True, timeout=30)
    if "--detach" not in p.stdout + p.stderr:
        print(f"attach_latency: {binary} has no `run --detach` (attach not landed).", file=sys.stderr)
        sys.exit(2)

    def overall(signum, frame):
        raise Failure(f"the whole measurement took longer than --timeout {a.timeout:.0f} s")
    signal.signal(signal.SIGALRM, overall)
    signal.alarm(int(a.timeout))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGS_", "VDK_DAGS_", "METAJOB_", "TMUX"))}
    env["LC_ALL"] = "C.UTF-8"
    tmp = tempfile.mkdtemp(prefix="attachbench-")
    try:
        result = measure(a, binary, tmp, env)
    except Failure as e:
        print(f"attach_latency: {e}", file=sys.stderr)
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
