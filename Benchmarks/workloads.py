#!/usr/bin/env python3
"""Generates the benchmark workloads with a fixed seed: a metajob definition and, for the peers,
the identical graph as build.ninja and a Makefile.

    python3 Benchmarks/workloads.py dag10k OUT_DIR      # 100 levels x 100 jobs, 2 random deps each, `true`
    python3 Benchmarks/workloads.py diamond OUT_DIR     # the VEP's 6-job shape, `sleep 1`
    python3 Benchmarks/workloads.py wide OUT_DIR        # 2,000 independent `sleep 0.05`
    python3 Benchmarks/workloads.py validate100k OUT_DIR  # 100,000 jobs as YAML and JSON
    python3 Benchmarks/workloads.py spawn OUT_DIR       # 2,000 independent `true` (WIDE's spawn-cost floor)
    python3 Benchmarks/workloads.py logs OUT_DIR [BYTES]  # one job writing BYTES (default 1 GB) in 100-byte lines;
                                                          # peer.sh: the same command redirected to a file

Benchmarks/run generates, runs and compares them; see the README's "Benchmarks" section.
"""
import json
import os
import random
import sys


def layered(levels, width, deps_per_job, seed):
    rng = random.Random(seed)
    jobs = []
    for level in range(levels):
        for i in range(width):
            name = f"j{level}_{i}"
            deps = [] if level == 0 else sorted({f"j{level - 1}_{k}" for k in rng.sample(range(width), deps_per_job)})
            jobs.append((name, deps))
    return jobs


def write_all(out, name, jobs, command, concurrency):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump({"name": name, "max_concurrent_running_jobs": concurrency,
                   "jobs": [{"job_name": n, "depends_on": d, "command": command} for n, d in jobs]}, f)
    with open(os.path.join(out, f"{name}.yaml"), "w") as f:
        f.write(f"name: {name}\nmax_concurrent_running_jobs: {concurrency}\njobs:\n")
        for n, d in jobs:
            f.write(f"  - job_name: {n}\n    depends_on: [{', '.join(d)}]\n    command: {json.dumps(command)}\n")
    # ninja and make: one edge per job; the outputs are never written, so a fresh run runs every command once.
    with open(os.path.join(out, "build.ninja"), "w") as f:
        f.write(f"rule job\n  command = {command}\n\n")
        for n, d in jobs:
            f.write(f"build stamps/{n}: job {' '.join('stamps/' + x for x in d)}\n")
        f.write("\ndefault " + " ".join(f"stamps/{n}" for n, _ in jobs) + "\n")
    with open(os.path.join(out, "Makefile"), "w") as f:
        f.write("all: " + " ".join(f"stamps/{n}" for n, _ in jobs) + "\n\n")
        for n, d in jobs:
            f.write(f"stamps/{n}: {' '.join('stamps/' + x for x in d)}\n\t@{command}\n")
    os.makedirs(os.path.join(out, "stamps"), exist_ok=True)


# 99 characters + the newline `yes` adds = a 100-byte line.
LOG_LINE = ("metajob-log-line-" * 6)[:99]


def logs_command(total_bytes):
    return f"yes {LOG_LINE} | head -c {int(total_bytes)}"


def write_logs(out, total_bytes):
    os.makedirs(out, exist_ok=True)
    command = logs_command(total_bytes)
    with open(os.path.join(out, "logs.yaml"), "w") as f:
        f.write(f"name: logs\nmax_concurrent_running_jobs: 1\njobs:\n"
                f"  - job_name: spew\n    depends_on: []\n    command: {json.dumps(command)}\n")
    with open(os.path.join(out, "peer.sh"), "w") as f:
        f.write(f"{command} > logs.out\n")


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "dag10k":
        write_all(out, "dag10k", layered(100, 100, 2, seed=1243), "true", 2)
    elif kind == "diamond":
        jobs = [("job1", []), ("job2", ["job1"]), ("job3", ["job1"]), ("job4", ["job1"]),
                ("job5", ["job2", "job3"]), ("job6", ["job4"])]
        write_all(out, "diamond", jobs, "sleep 1", 15)
    elif kind == "wide":
        write_all(out, "wide", [(f"w{i}", []) for i in range(2000)], "sleep 0.05", 64)
    elif kind == "spawn":
        write_all(out, "spawn", [(f"s{i}", []) for i in range(2000)], "true", 64)
    elif kind == "logs":
        write_logs(out, int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000_000)
    elif kind == "validate100k":
        write_all(out, "validate100k", layered(1000, 100, 2, seed=1243), "true", 15)
    else:
        sys.exit(f"unknown workload {kind}")


if __name__ == "__main__":
    main()
