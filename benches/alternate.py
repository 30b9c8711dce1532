#!/usr/bin/env python3
"""Whole-process cost of builds of the command, run alternately on one corpus.

    python3 benches/alternate.py CORPUS PAIRS NAME=BINARY NAME=BINARY ... [-- ARGS...]
    python3 benches/alternate.py --commands PAIRS [--before "COMMAND"] "NAME=COMMAND ..." ...

Runs `BINARY analyze CORPUS ARGS` (default ARGS: --threads 1 --format json) for every
build in turn, or with --commands each whole command line (split as a shell would, not
run by one), reversing the order every other round so that neither always runs first;
the first round warms the page cache and is not counted. With --before, that command
runs untimed before each timed one (for example removing the last run's output). Prints the median wall time,
the median CPU time (user + system, from wait4) and the largest peak resident memory
of each, and each as a ratio to the first. Ratios, not times: the machine is shared and
its speed drifts.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time


def main(argv):
    if argv[1:2] == ["--commands"] and len(argv) >= 4:
        rounds, rest, before = int(argv[2]), argv[3:], None
        if rest[:1] == ["--before"] and len(rest) >= 2:
            before, rest = shlex.split(rest[1]), rest[2:]
        commands = dict(arg.split("=", 1) for arg in rest)
        return compare({name: shlex.split(line) for name, line in commands.items()}, rounds, before)
    if "--" in argv:
        split = argv.index("--")
        argv, extra = argv[:split], argv[split + 1:]
    else:
        extra = ["--threads", "1", "--format", "json"]
    if len(argv) < 4:
        sys.exit(__doc__)
    corpus, rounds = argv[1], int(argv[2])
    builds = dict(arg.split("=", 1) for arg in argv[3:])
    compare({name: [binary, "analyze", corpus, *extra] for name, binary in builds.items()}, rounds)


def compare(builds, rounds, before=None):
    """Runs each command of `builds` (name: argv) alternately, each after `before`
    (argv, untimed) if given; prints the medians."""
    wall = {name: [] for name in builds}
    cpu = {name: [] for name in builds}
    peak = {name: 0 for name in builds}
    for round_ in range(rounds + 1):
        order = list(builds) if round_ % 2 == 0 else list(reversed(list(builds)))
        for name in order:
            if before:
                subprocess.run(before, check=True)
            start = time.perf_counter()
            child = subprocess.Popen(
                builds[name],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.perf_counter() - start
            if status != 0 and os.waitstatus_to_exitcode(status) not in (0, 2):
                sys.exit(f"{name} failed: {os.waitstatus_to_exitcode(status)}")
            if round_ > 0:
                wall[name].append(elapsed)
                cpu[name].append(usage.ru_utime + usage.ru_stime)
                peak[name] = max(peak[name], usage.ru_maxrss)
    first = next(iter(builds))
    for label, seconds in (("wall", wall), ("cpu", cpu)):
        medians = {name: statistics.median(v) for name, v in seconds.items()}
        print(
            label,
            " ".join(
                f"{name} {medians[name]:.4f} s ({medians[name] / medians[first]:.3f}x)"
                for name in builds
            ),
        )
    print(
        "peak",
        " ".join(
            f"{name} {peak[name] / 1024:.1f} MiB ({peak[name] / peak[first]:.3f}x)" for name in builds
        ),
    )


if __name__ == "__main__":
    main(sys.argv)
