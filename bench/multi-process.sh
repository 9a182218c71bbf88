#!/usr/bin/env bash
# The stack as separate processes on PostgreSQL + Redis, for the replica benchmarks (BENCHMARKS.md
# "Replicas"): one gateway, one replica of auth-, message- and loan-service, and PRODUCT_REPLICAS
# of product-service. ADDRESSES=single gives each caller one URL per service (one connection);
# ADDRESSES=balanced gives dns:///127.0.0.1:port (one endpoint) or the list of product-service's
# replicas, through the balanced client. Runs until interrupted; `kill -9` a replica by its pid
# file under $RUN_DIR to measure a failure.
#
#   cargo build --release -p cashloan-stack -p cashloan-bench
#   ADDRESSES=balanced PRODUCT_REPLICAS=2 bash bench/multi-process.sh
set -euo pipefail
cd "$(dirname "$0")/.."

addresses="${ADDRESSES:-single}"
replicas="${PRODUCT_REPLICAS:-1}"
postgres="${POSTGRES:-postgres://postgres@127.0.0.1:5432}"
run="${RUN_DIR:-/tmp/cashloan-multi}"
bin=./target/release/cashloan-replica
address() { # service base-port [count]
    local list=() i
    for ((i = 0; i < ${3:-1}; i++)); do list+=("http://127.0.0.1:$(($2 + 10 * i))"); done
    if [ "$addresses" = single ]; then echo "${list[0]}"
    elif [ "${3:-1}" = 1 ]; then echo "dns:///127.0.0.1:$2"
    else (IFS=,; echo "${list[*]}"); fi
}
# `--product-addr N`: only print product-service's address for N replicas (for loadgen).
if [ "${1:-}" = --product-addr ]; then address product 50052 "$2"; exit 0; fi
rm -rf "$run" && mkdir -p "$run"

export ADMIN_TOKEN="${ADMIN_TOKEN:-bench-token-0123456789}" REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/7}"
export RUST_LOG=warn SMS_IP_HOURLY_LIMIT=1000000 PII_KEY_FILE="$run/pii.keys"
redis-cli -u "$REDIS_URL" flushdb >/dev/null
for db in auth message product loan; do
    psql "$postgres" -qc "DROP DATABASE IF EXISTS bench_$db WITH (FORCE)" -c "CREATE DATABASE bench_$db"
done

export AUTH_ADDR=$(address auth 50051) MESSAGE_ADDR=$(address message 50054) \
    PRODUCT_ADDR=$(address product 50052 "$replicas") LOAN_ADDR=$(address loan 50053)

start() { # name role env...
    local name=$1 role=$2; shift 2
    env "$@" "$bin" "$role" >"$run/$name.log" 2>&1 &
    echo $! >"$run/$name.pid"
}
start message message-service MESSAGE_LISTEN=127.0.0.1:50054 MESSAGE_DATABASE_URL="$postgres/bench_message"
for ((i = 0; i < replicas; i++)); do
    start "product-$i" product-service PRODUCT_LISTEN=127.0.0.1:$((50052 + 10 * i)) \
        PRODUCT_DATABASE_URL="$postgres/bench_product"
done
start auth auth-service AUTH_LISTEN=127.0.0.1:50051 AUTH_DATABASE_URL="$postgres/bench_auth"
sleep 1 # auth-service makes the shared PII key file; loan-service reads it
start loan loan-service LOAN_LISTEN=127.0.0.1:50053 LOAN_DATABASE_URL="$postgres/bench_loan"
start gateway gateway GATEWAY_LISTEN=127.0.0.1:9999 ADMIN_LISTEN=127.0.0.1:9998
trap 'kill $(cat "$run"/*.pid) 2>/dev/null' EXIT
echo "addresses $addresses, product-service x$replicas: PRODUCT_ADDR=$PRODUCT_ADDR; logs and pids in $run"
wait
