#!/usr/bin/env python3
"""kubetriage's speed and memory benchmark (issue 7).

Builds a large, realistic bundle with the fixture generator, then runs, side by side in this
one process tree, several times each:

  gzip -dc bundle.tar.gz            the floor: just unpacking
  rg --no-unicode -c -f patterns bundle/
                                    ripgrep 15 with the catalogue's own log patterns. With
                                    its default Unicode classes (\w, \s, \d) the union of the
                                    ~70 patterns overflows rg's lazy DFA on apiserver and etcd
                                    logs and it falls back to a slow engine (4.1 s instead of
                                    0.02 s on 5 MB): --no-unicode gives rg its best time, the
                                    stricter comparison for kubetriage (the logs are ASCII).
  kubetriage analyze bundle.tar.gz  the whole analysis, from the archive
  kubetriage analyze bundle/        the whole analysis, from the directory
  xz -dc / kubetriage analyze on the same logs as .tar.xz, multi-block (xz -T0) and
                                    single-block (xz -T1)
  kubetriage audit                  1,000 small bundles (wall, CPU time, peak RSS), and 300
                                    vs 3,000 for memory growth

and prints medians, the target ratios and each command's peak RSS (from wait4 on the child:
no sampling, no timed assertions). Also measures the 20,000-certificate Secrets dump on 1
thread vs all, and the small example replay end to end.

    python3 benches/bench.py                 # 1 GiB of logs, 3 runs each
    python3 benches/bench.py --size-mb 4096  # the 4 GiB flat-memory check
    python3 benches/bench.py --kubetriage OLD_BINARY  # the same rows for another build

The machine's load (`uptime`) is printed before and after: on a shared machine compare the
ratios, which are measured in the same run.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = {
    "targz_vs_gzip": 0.30,
    "dir_vs_rg": 1.0,
    "rss_mib": 64,
    "pki_speedup": 1.7,
    "small_ms": 50,
    "xz_vs_xzdc": 1.0,
    "audit_cpu_per_wall": 1.6,
    "audit_rss_growth": 1.2,
}


def sh(cmd, **kw):
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def measure(cmd, env=None, stdout=subprocess.DEVNULL):
    """Runs cmd once; returns (wall seconds, peak RSS in MiB, CPU seconds) of that child alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # kubetriage exits 1 when it finds errors: that is success here
        raise SystemExit(f"{cmd[0]} failed with exit code {code}")
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


def bench(name, cmd, runs, env=None, cpu=False):
    results = [measure(cmd, env) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    rss = max(r[1] for r in results)
    cpus = statistics.median(r[2] for r in results)
    extra = f"   CPU {cpus:7.2f} s ({cpus / wall:.2f} x wall)" if cpu else ""
    print(f"  {name:<34} median {wall:8.3f} s   peak RSS {rss:8.1f} MiB{extra}   ({runs} runs)")
    return (wall, rss, cpus) if cpu else (wall, rss)


def load():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def xz_files(big, work, size_mb):
    """The same kind of logs as .tar.xz: multi-block (xz -T0, as sos writes them on several
    cores) and single-block (xz -T1). Made once from the generated .tar.gz."""
    if not shutil.which("xz"):
        raise SystemExit("xz not found: apt-get install -y xz-utils")
    out = {}
    for kind, threads in (("multi-block", "-T0"), ("single-block", "-T1")):
        path = os.path.join(work, f"logs-{size_mb}mb-v2.{threads[1:]}.tar.xz")
        if not os.path.exists(path):
            print(f"+ gzip -dc {big}.tar.gz | xz {threads} > {path}", file=sys.stderr)
            with open(path + ".part", "wb") as f:
                gz = subprocess.Popen(["gzip", "-dc", big + ".tar.gz"], stdout=subprocess.PIPE)
                subprocess.run(["xz", threads, "-6"], stdin=gz.stdout, stdout=f, check=True)
                gz.wait()
            os.rename(path + ".part", path)
        out[kind] = path
    return out


def small_fleet(work, count):
    """A folder of `count` small bundles: the committed example bundles, hard-linked under
    distinct names (each is read and analysed on its own)."""
    folder = os.path.join(work, f"fleet-{count}")
    if os.path.isdir(folder) and len(os.listdir(folder)) == count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    src = os.path.join(ROOT, "testdata", "bundles")
    kinds = sorted(f for f in os.listdir(src) if f.endswith(".tar.gz"))
    for i in range(count):
        kind = kinds[i % len(kinds)]
        os.link(os.path.join(src, kind), os.path.join(folder, f"{i:05d}-{kind}"))
    return folder


def packed_lines(work, word, line_bytes, total=50_000_000):
    """A kubelet log of `total` bytes: lines of `line_bytes` repeating `word`, a fault line
    every 50 lines."""
    folder = os.path.join(work, f"packed-{word}-{line_bytes}")
    path = os.path.join(folder, "node-1", "var", "log", "kubelet.log")
    if os.path.exists(path):
        return folder
    os.makedirs(os.path.dirname(path), exist_ok=True)
    head = "Nov 21 09:00:01 node-1 kubelet[1]: I1121 09:00:01.000000 1 x.go:1] "
    body = head + word * ((line_bytes - len(head)) // len(word)) + "\n"
    fault = 'Nov 21 09:00:02 node-1 kubelet[1]: E1121 09:00:02.000000 1 x.go:1] Failed to pull image "nginx:1.{}": rpc error\n'
    with open(path, "w") as f:
        n = i = 0
        while n < total:
            f.write(body)
            n += len(body)
            i += 1
            if i % 50 == 0:
                f.write(fault.format(i))
    return folder


def ripgrep(tools):
    """ripgrep 15 from crates.io (Debian's rg is older and slower): installed once, locally."""
    rg = shutil.which("rg")
    if rg:
        out = subprocess.run([rg, "--version"], capture_output=True, text=True).stdout
        major = out.split()[1].split(".")[0] if len(out.split()) > 1 else "0"
        if major.isdigit() and int(major) >= 14:
            return rg
    local = os.path.join(tools, "bin", "rg")
    if not os.path.exists(local):
        sh(["cargo", "install", "--quiet", "--locked", "ripgrep", "--root", tools])
    return local


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1024, help="log volume of the large bundle")
    ap.add_argument("--certs", type=int, default=20000, help="certificates in the Secrets dump")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--xz-size-mb", type=int, default=256, help="log volume of the .tar.xz rows")
    ap.add_argument("--fleet", type=int, default=1000, help="small bundles in the audit row")
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument(
        "--kubetriage",
        metavar="BINARY",
        help="measure this kubetriage binary (say, an older commit's build) instead of building this tree's",
    )
    args = ap.parse_args()

    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    packages = ["-p", "kubetriage-testgen"] if args.kubetriage else ["-p", "kubetriage", "-p", "kubetriage-testgen"]
    sh(["cargo", "build", "--quiet", "--release", "--locked", *packages])
    kt = os.path.abspath(args.kubetriage) if args.kubetriage else os.path.join(target, "release", "kubetriage")
    gen = os.path.join(target, "release", "kubetriage-testgen")
    rg = ripgrep(os.path.join(target, "bench-tools"))
    print(f"kubetriage: {kt}")
    os.makedirs(args.work, exist_ok=True)

    # v2: realistic logs (varied times, ids, durations; gzip about 9:1), not the old template bundle
    big = os.path.join(args.work, f"logs-{args.size_mb}mb-v2")
    if not os.path.exists(big + ".tar.gz"):
        sh([gen, "big", "--size-mb", str(args.size_mb), "--seed", "1", "--out", big])
    dump = os.path.join(args.work, f"secrets-{args.certs}")
    if not os.path.exists(dump + ".tar.gz"):
        sh([gen, "secrets-dump", "--certs", str(args.certs), "--seed", "1", "--out", dump])
    patterns = os.path.join(args.work, "patterns.txt")
    with open(patterns, "w") as f:
        subprocess.run([kt, "rules", "--patterns"], check=True, stdout=f)

    print(f"load before: {load()}")
    size = os.path.getsize(big + ".tar.gz") / 2**20
    print(f"\nlarge bundle: {big}.tar.gz ({size:.0f} MiB compressed, {args.size_mb} MiB of logs)")
    now = ["--now", "2026-11-21T09:30:00Z", "-q", "-o", "json", "--output", "/dev/null"]
    gz, _ = bench("gzip -dc bundle.tar.gz", ["gzip", "-dc", big + ".tar.gz"], args.runs)
    rgw, _ = bench("rg --no-unicode -c -f patterns bundle/", [rg, "--no-unicode", "-c", "-f", patterns, big], args.runs)
    ktz, rss_z = bench("kubetriage analyze bundle.tar.gz", [kt, "analyze", big + ".tar.gz", *now], args.runs)
    ktd, rss_d = bench("kubetriage analyze bundle/", [kt, "analyze", big, *now], args.runs)

    print(f"\nSecrets dump with {args.certs} certificates: {dump}.tar.gz")
    one = dict(os.environ, RAYON_NUM_THREADS="1")
    p1, _ = bench("analyze, RAYON_NUM_THREADS=1", [kt, "analyze", dump + ".tar.gz", *now], args.runs, env=one)
    pn, _ = bench(f"analyze, {os.cpu_count()} threads", [kt, "analyze", dump + ".tar.gz", *now], args.runs)

    replay = os.path.join(ROOT, "testdata", "bundles", "incident-replay.tar.gz")
    print("\nexample replay:")
    small, _ = bench("analyze incident-replay.tar.gz", [kt, "analyze", replay, *now], max(args.runs, 5))

    # Hostile lines (helper-57): 50 MB of lines packed with one of the prefilter's generic
    # cover strings and no literal, longer than --max-line-bytes and within it. Only each
    # line's matched head is searched; the MB/s are worth comparing between builds.
    print("\nlines packed with cover strings (50 MB):")
    for word, line_bytes, limit in (("connect", 10_000, "100"), ("request", 500_000, None), ("connect", 10_000, None)):
        folder = packed_lines(args.work, word, line_bytes)
        extra = ["--max-line-bytes", limit] if limit else []
        label = f"{line_bytes // 1000} KB lines of {word!r}" + (f", --max-line-bytes {limit}" if limit else "")
        t, _ = bench(label, [kt, "analyze", folder, *now, *extra], args.runs)
        print(f"  {'':<34} {50 / t:8.0f} MB/s")

    xbig = os.path.join(args.work, f"logs-{args.xz_size_mb}mb-v2")
    if not os.path.exists(xbig + ".tar.gz"):
        sh([gen, "big", "--size-mb", str(args.xz_size_mb), "--seed", "1", "--out", xbig])
    xz = {}
    for kind, path in xz_files(xbig, args.work, args.xz_size_mb).items():
        size = os.path.getsize(path) / 2**20
        print(f"\n.tar.xz, {kind}: {path} ({size:.0f} MiB, {args.xz_size_mb} MiB of logs)")
        xd, _ = bench("xz -dc bundle.tar.xz", ["xz", "-dc", path], args.runs)
        kx, _ = bench("kubetriage analyze bundle.tar.xz", [kt, "analyze", path, *now], args.runs)
        xz[kind] = kx / xd

    quiet = ["--now", "2026-11-21T09:30:00Z", "-q", "-o", "markdown", "--output", "/dev/null"]
    print(f"\naudit of small bundles (the example bundles, hard-linked), markdown report:")
    fleet = small_fleet(args.work, args.fleet)
    aw, arss, acpu = bench(f"audit {args.fleet} bundles", [kt, "audit", fleet, *quiet], args.runs, cpu=True)
    # On a loaded machine CPU time / wall says how much CPU the scheduler gave, not how much
    # the audit could use; the wall of the same audit on one thread, in the same conditions,
    # still shows the parallelism.
    aw1, _, _ = bench(f"audit {args.fleet}, RAYON_NUM_THREADS=1", [kt, "audit", fleet, *quiet], args.runs, env=one, cpu=True)
    _, rss300 = bench("audit 300 bundles", [kt, "audit", small_fleet(args.work, 300), *quiet], 1)
    _, rss3000 = bench("audit 3000 bundles", [kt, "audit", small_fleet(args.work, 3000), *quiet], 1)
    print(f"\nload after: {load()}")

    rows = [
        ("tar.gz: kubetriage / gzip -dc", ktz / gz, f"<= {TARGETS['targz_vs_gzip']}", ktz / gz <= TARGETS["targz_vs_gzip"]),
        ("dir: kubetriage / rg -c -f", ktd / rgw, f"<= {TARGETS['dir_vs_rg']}", ktd / rgw <= TARGETS["dir_vs_rg"]),
        ("peak RSS MiB (tar.gz, dir)", max(rss_z, rss_d), f"<= {TARGETS['rss_mib']}", max(rss_z, rss_d) <= TARGETS["rss_mib"]),
        ("certs: 1 thread / all threads", p1 / pn, f">= {TARGETS['pki_speedup']}", p1 / pn >= TARGETS["pki_speedup"]),
        ("example replay, ms", small * 1000, f"< {TARGETS['small_ms']}", small * 1000 < TARGETS["small_ms"]),
    ]
    for kind, ratio in xz.items():
        rows.append((f"tar.xz {kind}: kubetriage / xz -dc", ratio, f"<= {TARGETS['xz_vs_xzdc']}", ratio <= TARGETS["xz_vs_xzdc"]))
    rows += [
        (f"audit {args.fleet}: CPU time / wall", acpu / aw, f">= {TARGETS['audit_cpu_per_wall']}", acpu / aw >= TARGETS["audit_cpu_per_wall"]),
        (f"audit {args.fleet}: 1 thread / all (wall)", aw1 / aw, "(info)", True),
        ("audit peak RSS 3000 / 300", rss3000 / rss300, f"<= {TARGETS['audit_rss_growth']}", rss3000 / rss300 <= TARGETS["audit_rss_growth"]),
    ]
    print("\nratio                                value     target   met")
    for name, value, target, ok in rows:
        print(f"  {name:<34} {value:8.2f}   {target:<8} {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
