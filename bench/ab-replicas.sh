#!/usr/bin/env bash
# A/B of the stack as separate processes (bench/multi-process.sh), sets taken alternately in one
# window: each set starts a fresh stack, waits until it answers, and runs the scenarios in $SCENARIOS
# (closed loop, c=32, $DURATION s, 5 by default). SETS lists "ADDRESSES:PRODUCT_REPLICAS" pairs; ROUNDS rounds of all.
# Rows go to $OUT/<set>-<round>-<scenario>.json; a summary table is printed at the end.
#
#   SETS="single:1 balanced:1" ROUNDS=3 bash bench/ab-replicas.sh
set -euo pipefail
cd "$(dirname "$0")/.."

sets="${SETS:-single:1 balanced:1}"
rounds="${ROUNDS:-3}"
scenarios="${SCENARIOS:-products session-read direct}"
out="${OUT:-/tmp/cashloan-ab}"
mkdir -p "$out"
export ADMIN_TOKEN=bench-token-0123456789

for round in $(seq 1 "$rounds"); do
    for set in $sets; do
        ADDRESSES=${set%%:*} PRODUCT_REPLICAS=${set##*:} bash bench/multi-process.sh >"$out/stack.log" 2>&1 &
        stack=$!
        for _ in $(seq 1 100); do
            curl -s -o /dev/null http://127.0.0.1:9999/ && break
            sleep 0.2
        done
        sleep 1
        for scenario in $scenarios; do
            # loadgen's own client to product-service, addressed as the gateway's is.
            direct=$(ADDRESSES=${set%%:*} bash bench/multi-process.sh --product-addr "${set##*:}")
            ./target/release/loadgen --scenario "$scenario" --mode closed -c 32 --duration "${DURATION:-5}" --users 200 \
                --direct-addr "$direct" --json "$out/$set-$round-$scenario.json" >/dev/null
        done
        kill "$stack"
        wait "$stack" 2>/dev/null || true
        sleep 1
    done
done

printf '| set | scenario | req/s (runs) | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|\n'
for set in $sets; do
    for scenario in $scenarios; do
        files=$(ls "$out/$set"-*-"$scenario".json)
        jq -rs --arg set "$set" --arg scenario "$scenario" '
            (map(.throughput) | sort) as $r |
            "| \($set) | \($scenario) | \($r[($r | length) / 2 | floor] | floor) (\(map(.throughput | floor) | join(" / "))) | \(map(.p50_ms) | add / length * 100 | round / 100) | \(map(.p99_ms) | add / length * 100 | round / 100) | \(map(.errors) | add) |"' $files
    done
done
