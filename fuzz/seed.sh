#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/<target>, not committed) with the matching
# files of testdata/bundles, so libFuzzer starts from real certificates, kubeconfigs, dumps,
# node files, logs and archives instead of from nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
b=testdata/bundles
seed() { # target, find arguments...
  local t=$1; shift
  mkdir -p "fuzz/corpus/$t"
  find "$b" -type f -size -256k "$@" -exec sh -c 'for f; do cp "$f" "fuzz/corpus/'"$t"'/$(echo "$f" | tr / _)"; done' _ {} +
}
seed pem \( -name '*.crt' -o -name '*.key' -o -name '*.pem' -o -name '*.pub' \)
seed kubeconfig \( -name '*.conf' -o -name 'kubeconfig*' \) -path '*etc/kubernetes*'
# Objects and archives: small seeds only. Each libFuzzer run parses the whole input, so a
# several-hundred-KB seed makes every execution slow (13k runs in 600 s for archive before).
seed objects -size -16k \( -name '*.yaml' -o -name '*.json' \)
seed node_text \( -name 'subnet.env' -o -name '*.service' -o -name '*.conf' -o -name '*.conflist' -o -name hostname -o -name credentials \)
seed logline \( -name '*.log' -o -path '*var/log*' \)
# The redactor: log lines (the secrets-everywhere ones paste secrets into them).
seed redact -size -64k \( -name '*.log' -o -path '*var/log*' \)
seed archive -size -4k \( -name '*.tar.gz' -o -name '*.tar' \)
# Small archives cut from the fixtures: a node's PKI pair and kubeconfig, a log, and the same
# nested inside another archive, as .tar and .tar.gz.
k=$b/kubeadm-healthy
a=fuzz/corpus/archive
tar --sort=name --mtime=@0 --owner=0 --group=0 -C "$k" -cf "$a/pki.tar" \
  etc/hostname etc/kubernetes/pki/ca.crt etc/kubernetes/pki/ca.key etc/kubernetes/admin.conf
tar --sort=name --mtime=@0 --owner=0 --group=0 -C "$k" -cf - etc/hostname var/lib/kubelet/config.yaml |
  gzip -n >"$a/kubelet.tar.gz"
head -c 4096 "$k/var/log/kubelet.log" >"$a/.kubelet.log"
tar --sort=name --mtime=@0 --owner=0 --group=0 -C "$a" -cf "$a/nested.tar" pki.tar kubelet.tar.gz .kubelet.log
rm "$a/.kubelet.log"
gzip -n -c "$a/nested.tar" >"$a/nested.tar.gz"
for t in fuzz/corpus/*; do echo "$t: $(ls "$t" | wc -l) seeds"; done
