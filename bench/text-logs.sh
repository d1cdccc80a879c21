#!/usr/bin/env bash
# Text-log throughput: exhunt (every detector) next to ripgrep (a literal search, the I/O floor) over the same
# generated evidence. Usage: bench/text-logs.sh GB [DIR]   (DIR defaults to /tmp/exhunt-bench-<GB>g; deleted afterwards)
set -euo pipefail
gb=${1:?size in GB}
dir=${2:-/tmp/exhunt-bench-${gb}g}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dotnet build -c Release src/Exhunt.Cli -v q -nologo >/dev/null
dotnet build -c Release bench/Exhunt.Bench -v q -nologo >/dev/null
rm -rf "$dir"
dotnet bench/Exhunt.Bench/bin/Release/net10.0/Exhunt.Bench.dll generate --out "$dir" --gb "$gb"
bytes=$(du -sb "$dir" | cut -f1)
files=$(find "$dir" -type f | wc -l)
lines=$(find "$dir" -type f \( -iname '*.log' \) -print0 | xargs -0 cat | grep -vc '^#' || true)
echo "input: $files files, $bytes bytes, $lines log records"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
find "$dir" -type f -print0 | xargs -0 cat >/dev/null   # page cache warm for both tools
exhunt=(dotnet src/Exhunt.Cli/bin/Release/net10.0/exhunt.dll scan "$dir" --no-progress --json /dev/null)
/usr/bin/time -v "${exhunt[@]}" 2>&1 >/dev/null | grep -E 'Elapsed|User time|System time|Maximum resident' | sed 's/^\s*/exhunt: /' || true
/usr/bin/time -v rg -c 'ServerInfo~' "$dir" 2>&1 >/dev/null | grep -E 'Elapsed|User time|System time|Maximum resident' | sed 's/^\s*/rg: /' || true
if command -v hyperfine >/dev/null; then
  hyperfine -N -i --warmup 1 --runs 5 --export-json "/tmp/exhunt-bench-${gb}g.json" "${exhunt[*]}" "rg -c ServerInfo~ $dir"
fi
rm -rf "$dir"
