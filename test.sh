#!/usr/bin/env bash
# Runs every test: installs what the tests need (real etcd/etcdctl and cfssl from Debian), builds the solution
# once, then runs the test projects one after another. `./test.sh --full` runs the full tiers of the long
# simulation/soak/scale suites instead of the capped CI tiers.
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "--full" ]; then export CAIRN_SIM_FULL=1 CAIRN_TIER=full; fi

missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
command -v cfssl >/dev/null 2>&1 || missing+=(golang-cfssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
start=$SECONDS
dotnet build Cairn.slnx -c Release -nologo -v quiet
echo "build: $((SECONDS - start)) s"

passed=0; failed=0; skipped=0; status=0
for project in tests/*.Tests/*.csproj; do
  name=$(basename "$project" .csproj)
  t0=$SECONDS
  log=$(mktemp)
  if ! dotnet test "$project" -c Release --no-build -nologo --blame-hang-timeout 10m 2>&1 | tee "$log"; then status=1; fi
  line=$(grep -E 'Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -1 || true)
  if [ -z "$line" ]; then echo "$name: no test summary"; status=1; fi
  f=$(echo "$line" | sed -nE 's/.*Failed: +([0-9]+).*/\1/p'); p=$(echo "$line" | sed -nE 's/.*Passed: +([0-9]+).*/\1/p')
  s=$(echo "$line" | sed -nE 's/.*Skipped: +([0-9]+).*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  echo "$name: ${p:-0} passed, ${f:-0} failed in $((SECONDS - t0)) s"
  rm -f "$log"
done
# BenchmarkDotNet as a dry job: each micro-benchmark runs once, so a broken benchmark fails CI.
t0=$SECONDS
log=$(mktemp)
if dotnet run -c Release --no-build --project bench/Cairn.Benchmarks -- --filter '*' --job dry >"$log" 2>&1; then
  echo "benchmarks (dry job): $(grep -c '^| ' "$log" || true) table lines in $((SECONDS - t0)) s"
else
  tail -50 "$log"; echo "benchmarks (dry job): failed"; status=1
fi
rm -f "$log"
echo "total time: $((SECONDS - start)) s"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && exit $status || exit 1
