#!/usr/bin/env python3
"""Start-up A/B: two kubetriage binaries on the example replay, runs interleaved.

    python3 benches/ab.py OLD_BINARY NEW_BINARY [--runs 21] [--bundle PATH]

Alternates the two binaries run by run (so both see the same machine: this VM's walls vary
by ±30% over minutes) and prints each one's median wall and CPU time (user + system, from
wait4 on the child) and the ratios new / old. The example replay is small: its time is the
start-up (catalogue, regex compiles, prefilter) more than the reading, which `bench.py`'s
large bundles measure.
"""

import argparse
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--bundle", default=os.path.join(ROOT, "testdata", "bundles", "incident-replay.tar.gz"))
    args = ap.parse_args()
    cmd = ["analyze", args.bundle, "--now", "2026-11-21T09:30:00Z", "-o", "json"]
    times = {args.old: [], args.new: []}
    for _ in range(args.runs):
        for binary in (args.old, args.new):
            start = time.perf_counter()
            proc = subprocess.Popen([binary, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(proc.pid, 0)
            times[binary].append((time.perf_counter() - start, usage.ru_utime + usage.ru_stime))
    with open("/proc/loadavg") as f:
        print(f"load: {f.read().split()[:3]}")
    med = {}
    for binary, runs in times.items():
        wall = statistics.median(r[0] for r in runs) * 1000
        cpu = statistics.median(r[1] for r in runs) * 1000
        med[binary] = (wall, cpu)
        print(f"  {binary}: wall {wall:.1f} ms, CPU {cpu:.1f} ms ({args.runs} runs)")
    (ow, oc), (nw, nc) = med[args.old], med[args.new]
    print(f"new / old: wall {nw / ow:.2f}, CPU {nc / oc:.2f}")


if __name__ == "__main__":
    main()
