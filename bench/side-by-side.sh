#!/usr/bin/env bash
# Side by side (issue 11): ripgrep (a literal search, the I/O floor), exhunt before the issue-11 work and after (this
# checkout), and Test-ProxyLogon's log logic when PowerShell and its wrapper are present, over the same evidence.
# Both exhunt builds are the shipped kind (trimmed self-contained single file, README "Install"), published here.
#
# Usage: bench/side-by-side.sh [DATA] [SIGMA]      (defaults: /tmp/bm-b1 /tmp/websigma; SIGMA "-" = no Sigma rules)
# Environment:
#   BEFORE=a1889c5       commit for "before" (checked out as a detached worktree under WORK)
#   WORK=/tmp/side-by-side  builds, hyperfine JSON, logs
#   SKIP_BUILD=1         reuse WORK's builds when they exist
#   RUNS=5 TPL_RUNS=5    hyperfine runs (warmup 1)
#   TPL=/tmp/su-tpl/tpl-logs.ps1 TPL_SCRIPT=/tmp/su-tpl/Test-ProxyLogon.ps1   the Test-ProxyLogon wrapper and script
#                        (BENCHMARKS.md "Side by side and start-up" says how to make them; skipped when absent)
#   COLD=0               skip the cold runs (page cache dropped before each tool's first run, when permitted)
set -euo pipefail
data=${1:-/tmp/bm-b1}
sigma=${2:-/tmp/websigma}
before=${BEFORE:-a1889c5}
work=${WORK:-/tmp/side-by-side}
runs=${RUNS:-5}
tpl_runs=${TPL_RUNS:-$runs}
tpl=${TPL:-/tmp/su-tpl/tpl-logs.ps1}
tpl_script=${TPL_SCRIPT:-/tmp/su-tpl/Test-ProxyLogon.ps1}
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$PATH:$HOME/.dotnet/tools"
mkdir -p "$work"

publish() { # SOURCE_ROOT OUT
  local t0=$SECONDS
  if ! dotnet publish "$1/src/Exhunt.Cli" -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true \
      -p:PublishTrimmed=true -o "$2" -nologo -v q >"$2.log" 2>&1; then
    tail -n 30 "$2.log"; exit 1
  fi
  echo "published $2/exhunt from $1 in $((SECONDS - t0)) s"
}
if [[ -z ${SKIP_BUILD:-} || ! -x $work/before/exhunt ]]; then
  [[ -d $work/src-before ]] || git -C "$root" worktree add --detach "$work/src-before" "$before" >/dev/null
  publish "$work/src-before" "$work/before"
fi
if [[ -z ${SKIP_BUILD:-} || ! -x $work/after/exhunt ]]; then
  publish "$root" "$work/after"
fi

sigma_args=""
[[ $sigma != "-" ]] && sigma_args="--sigma $sigma"
exch=$(find "$data" -type d -path '*/Exchange Server/V15' -print -quit)
bytes=$(du -sb "$data" | cut -f1)
files=$(find "$data" -type f | wc -l)
declare -a names cmds
names+=("ripgrep \`rg -c ServerInfo~\`");    cmds+=("rg -c ServerInfo~ $data")
names+=("exhunt before ($before)");         cmds+=("$work/before/exhunt scan $data $sigma_args --no-progress --json /dev/null")
names+=("exhunt after ($(git -C "$root" rev-parse --short HEAD))"); cmds+=("$work/after/exhunt scan $data $sigma_args --no-progress --json /dev/null")
have_tpl=""
if command -v pwsh >/dev/null && [[ -f $tpl && -f $tpl_script && -n $exch ]]; then
  have_tpl=1
  names+=("Test-ProxyLogon log logic (pwsh)"); cmds+=("pwsh -NoProfile -NonInteractive -File $tpl -Script $tpl_script -ExchangePath '$exch'")
fi

echo "input: $data, $files files, $bytes bytes; Sigma: ${sigma}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "versions: $("$work/before/exhunt" --version) / $("$work/after/exhunt" --version) / $(rg --version | sed -n 1p)${have_tpl:+ / pwsh $(pwsh -NoProfile -Command '$PSVersionTable.PSVersion.ToString()')}"

# Cold: the first run of each tool after the build, page cache dropped before it (root only).
declare -a cold
for i in "${!cmds[@]}"; do
  cold[i]="—"
  [[ ${COLD:-1} == 0 ]] && continue
  if sync && { echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
    # Exit codes are findings (exhunt 1-3, rg 1 = no match), not failures.
    eval "/usr/bin/time -o '$work/cold-$i.txt' -f '%e s wall, %U+%S CPU-s' ${cmds[i]}" >/dev/null 2>&1 || true
    cold[i]=$(tail -n 1 "$work/cold-$i.txt")
  else
    cold[i]="(cache not dropped: not permitted)"
  fi
done

# Warm: hyperfine, page cache warm (a warmup run first).
find "$data" -type f -print0 | xargs -0 cat >/dev/null
declare -a json
for i in "${!cmds[@]}"; do
  json[i]="$work/hf-$i.json"
  n=$runs; [[ $i == 3 ]] && n=$tpl_runs
  hyperfine -N -i --warmup 1 --runs "$n" --export-json "${json[i]}" "${cmds[i]}" >"$work/hf-$i.txt" 2>&1 || cat "$work/hf-$i.txt"
done

rg_mean=$(jq '.results[0].mean' "${json[0]}")
echo
rg_cpu=$(jq '.results[0] | .user + .system' "${json[0]}")
echo "| tool | warm wall (mean ± σ, min) | warm CPU-s (user+sys) | MB/s (wall) | × ripgrep (wall) | × ripgrep (CPU) | cold (first run, cache dropped) |"
echo "|---|---|---|---|---|---|---|"
for i in "${!cmds[@]}"; do
  jq -r --arg name "${names[i]}" --arg cold "${cold[i]}" --argjson bytes "$bytes" --argjson rg "$rg_mean" --argjson rgcpu "$rg_cpu" '.results[0] |
    "| \($name) | \(.mean*1000|round/1000) s ± \((.stddev // 0)*1000|round/1000), \(.min*1000|round/1000) | \((.user+.system)*100|round/100) | \($bytes/.mean/1e5|round/10) | \($rg/.mean*1000|round/1000) | \($rgcpu/(.user+.system)*1000|round/1000) | \($cold) |"' "${json[i]}"
done
echo
echo "commands:"
for i in "${!cmds[@]}"; do echo "  ${cmds[i]}"; done
