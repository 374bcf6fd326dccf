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
seed objects \( -name '*.yaml' -o -name '*.json' \)
seed node_text \( -name 'subnet.env' -o -name '*.service' -o -name '*.conf' -o -name '*.conflist' -o -name hostname -o -name credentials \)
seed logline \( -name '*.log' -o -path '*var/log*' \)
seed archive \( -name '*.tar.gz' -o -name '*.tar' \)
for t in fuzz/corpus/*; do echo "$t: $(ls "$t" | wc -l) seeds"; done
