#!/usr/bin/env python3
"""Scaling of kubetriage on hostile shapes (a benchmark, not a test): prints the wall time of
`kubetriage analyze` on bundles with 10k/20k/40k/200k junk `.crt` entries (every one an
input problem, all correlated with each other's rules) and on bundles holding a TLS Secret
whose name is 5/10/20 MB (rendered as a terminal table), so that near-linear growth can be
read off.

    cargo build --release
    python3 benches/scaling.py [path/to/kubetriage]

Bundles are written to a temporary folder and removed afterwards.
"""

import base64
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time

NOW = "2026-01-01T00:00:00Z"


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 1767225600
    tar.addfile(info, io.BytesIO(data))


def write(path, entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data in entries:
            add(tar, name, data)
    with open(path, "wb") as f:
        f.write(gzip.compress(buf.getvalue(), 1))


def junk_certs(n):
    for i in range(n):
        data = b"-----BEGIN CERTIFICATE-----\nnot base64 %d\n-----END CERTIFICATE-----\n" % i
        yield "b/n%d/etc/kubernetes/pki/junk%d.crt" % (i % 3, i), data


# A self-signed test certificate (CN=x, valid 2026-12-04 to 2026-12-05, made with
# `openssl req -x509 -newkey ec`): not yet valid at NOW, so its findings name its Secret.
CERT = b"""-----BEGIN CERTIFICATE-----
MIIBbjCCAROgAwIBAgIUIn6IZpi3s2HI917FGDD1ZHB9wOYwCgYIKoZIzj0EAwIw
DDEKMAgGA1UEAwwBeDAeFw0yNjEyMDQyMzQ2MzBaFw0yNjEyMDUyMzQ2MzBaMAwx
CjAIBgNVBAMMAXgwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQIsVW8jlV0n9Fm
vcS5v87t6e72uDCaLH45JkOo+QL0vEVbqfjUVFTEAsdyPWxP/u4uNcgesfzWM2tl
1bFBEs5Do1MwUTAdBgNVHQ4EFgQUEWc97i3B6tioLFAYCD9RQwt6BkQwHwYDVR0j
BBgwFoAUEWc97i3B6tioLFAYCD9RQwt6BkQwDwYDVR0TAQH/BAUwAwEB/zAKBggq
hkjOPQQDAgNJADBGAiEAvvhIdL4UKoRthWZdhl9up+rRy94S/bz+/z2UYOPz794C
IQCztnAaljAr5jUOJIPcxOPHz20niEu3lMxh6pD0FHj04Q==
-----END CERTIFICATE-----
"""


def long_name(mb):
    """A TLS Secret whose name is `mb` megabytes, in a cluster dump."""
    secret = {
        "apiVersion": "v1",
        "kind": "List",
        "items": [
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "kubernetes.io/tls",
                "metadata": {"name": "h" * (mb << 20), "namespace": "default"},
                "data": {"tls.crt": base64.b64encode(CERT).decode()},
            }
        ],
    }
    yield "b/cluster/secrets.json", json.dumps(secret).encode()


def run(binary, bundle, fmt):
    started = time.perf_counter()
    out = subprocess.run(
        [binary, "analyze", "--now", NOW, "-q", "-o", fmt, "--stats", bundle],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    took = time.perf_counter() - started
    peak = next(
        (l.split()[2] for l in out.stderr.decode().splitlines() if l.startswith("peak memory:")),
        "?",
    )
    return took, peak, out.returncode


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/kubetriage"
    binary = os.path.abspath(binary)
    cases = [("%dk junk .crt entries" % (n // 1000), n, junk_certs(n), "json") for n in (10_000, 20_000, 40_000, 200_000)]
    cases += [("%d MB Secret name, -o table" % mb, mb, long_name(mb), "table") for mb in (5, 10, 20)]
    print("%-30s %10s %12s %14s %5s" % ("case", "seconds", "per unit µs", "peak KiB", "exit"))
    with tempfile.TemporaryDirectory() as tmp:
        for label, units, entries, fmt in cases:
            path = os.path.join(tmp, "bundle.tar.gz")
            write(path, entries)
            took, peak, code = run(binary, path, fmt)
            per = took / units * 1e6
            print("%-30s %10.2f %12.1f %14s %5d" % (label, took, per, peak, code))
            os.remove(path)


if __name__ == "__main__":
    main()
