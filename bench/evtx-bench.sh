#!/usr/bin/env bash
# EVTX throughput, exhunt vs evtxexport (libevtx-utils) vs python-evtx, on the same inputs, one process each.
# Per-core measure = CPU time (user + sys) from /usr/bin/time, which also gives peak RSS (%M). The machine may be
# shared, so wall time is shown but not used for rates.
# Usage: bench/evtx-bench.sh [CORPUS_EVTX_DIR]   (default: shared/corpus/evtx beside the repository or its parent)
set -uo pipefail
cd "$(dirname "$0")/.."
CORPUS=${1:-}
if [ -z "$CORPUS" ]; then for c in ../shared/corpus/evtx ../../shared/corpus/evtx; do [ -d "$c" ] && CORPUS=$c && break; done; fi
[ -d "$CORPUS" ] || { echo "corpus not found; pass the evtx corpus folder" >&2; exit 66; }
SRC=$CORPUS/EVTX-ATTACK-SAMPLES   # evtxexport aborts a whole file on the dependency-id-less records elsewhere
dotnet build -c Release bench/Exhunt.Bench -v q -nologo >/dev/null && dotnet build -c Release src/Exhunt.Cli -v q -nologo >/dev/null || exit 1
B=bench/Exhunt.Bench/bin/Release/net10.0/Exhunt.Bench
X=src/Exhunt.Cli/bin/Release/net10.0/exhunt
$B evtx assemble /tmp/exhunt-big.evtx 100 "$SRC"
$B evtx assemble /tmp/exhunt-16m.evtx 16 "$SRC"
run() { local label=$1; shift; /usr/bin/time -f "$label: user %U s, sys %S s, wall %e s, peak RSS %M KB" "$@"; }

echo "== 100 MB assembled file (/tmp/exhunt-big.evtx)"
run "exhunt fields" $B evtx read /tmp/exhunt-big.evtx
DOTNET_TieredCompilation=0 run "exhunt fields, TieredCompilation=0" $B evtx read /tmp/exhunt-big.evtx
run "exhunt fields, warm (x4)" $B evtx read /tmp/exhunt-big.evtx --repeat 4
run "exhunt xml" $B evtx read /tmp/exhunt-big.evtx --xml
run "exhunt dump --format xml-jsonl" $X dump /tmp/exhunt-big.evtx --format xml-jsonl --out /dev/null
DOTNET_TieredCompilation=0 run "exhunt dump --format xml-jsonl, TieredCompilation=0" $X dump /tmp/exhunt-big.evtx --format xml-jsonl --out /dev/null
echo "evtxexport records: $(evtxexport -f xml /tmp/exhunt-big.evtx 2>/dev/null | grep -c '<Event xmlns')"
run "evtxexport -f xml" evtxexport -f xml /tmp/exhunt-big.evtx >/dev/null

echo "== shared corpus ($CORPUS, 592 files)"
run "exhunt fields" $B evtx read "$CORPUS"
DOTNET_TieredCompilation=0 run "exhunt fields, TieredCompilation=0" $B evtx read "$CORPUS"

echo "== 16 MB assembled file (/tmp/exhunt-16m.evtx), with python-evtx"
run "exhunt xml" $B evtx read /tmp/exhunt-16m.evtx --xml
run "evtxexport -f xml" evtxexport -f xml /tmp/exhunt-16m.evtx >/dev/null
run "python-evtx xml" /usr/bin/python3 -c "
import Evtx.Evtx as evtx
n = 0
with evtx.Evtx('/tmp/exhunt-16m.evtx') as log:
    for r in log.records():
        r.xml(); n += 1
print('python-evtx records', n)"
