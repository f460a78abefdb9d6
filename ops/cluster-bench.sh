#!/usr/bin/env bash
# Each domain's worker on PostgreSQL with 1, 2 and 3 instances, next to one instance on SQLite, on the same
# input, published once every instance has its partitions: events/s from the first committed batch to the
# last, p99 batch time (from /metrics), peak RSS and CPU seconds per 1,000 events of the worker processes.
# Starts its own broker (welfare-broker) and a durable throwaway PostgreSQL (ops/test-postgres.sh),
# everything on this machine; release build.
#   ops/cluster-bench.sh [EVENTS] [DOMAIN...]
# WELFARE_BENCH_SETUPS picks setups (default "sqlite postgresql:1 postgresql:2 postgresql:3").
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${WELFARE_TEST_POSTGRES_URL:-}" ]; then
    WELFARE_PG_DURABLE=1 exec bash ops/test-postgres.sh bash "$0" "$@"
fi
events=${1:-60000}
shift || true
domains=("${@:-volunteer-hours mutual-aid-claims new-employment-benefits}")
bin=.build/release
work=$(mktemp -d /tmp/welfare-cluster-bench.XXXXXX)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
export WELFARE_STORE_IDENTITY_KEY=benchmark-identity-key-0123456789abcdef
export WELFARE_DOMAIN_CERTIFICATE_SECRET=bench-certificate-secret-0123456789
export WELFARE_DOMAIN_VOUCHER_SECRET=dev-only-voucher-secret-change-me
export WELFARE_LOG_LEVEL=warning WELFARE_KAFKA_SESSION_TIMEOUT_MS=6000

finished() { # the store's finished messages
    if [[ "$1" == postgresql://* ]]; then
        psql -qtA "$1" -c "SELECT coalesce(sum(next_offset), 0) FROM runtime_partition_offsets" 2>/dev/null || echo 0
    else
        python3 -c "import sqlite3,sys; print(sqlite3.connect('file:$1?mode=ro', uri=True).execute('SELECT coalesce(sum(next_offset),0) FROM runtime_partition_offsets').fetchone()[0])" 2>/dev/null || echo 0
    fi
}

printf "%-24s %-10s %9s %9s %10s %12s\n" domain store events/s p99_batch peak_rss_mb cpu_s/1k_ev
for domain in ${domains[@]}; do
    for setup in ${WELFARE_BENCH_SETUPS:-sqlite postgresql:1 postgresql:2 postgresql:3}; do
        "$bin/welfare-broker" --address-file "$work/broker" > /dev/null 2>&1 &
        broker=$!
        while [ ! -s "$work/broker" ]; do sleep 0.1; done
        servers=$(cat "$work/broker")
        publish() { "$bin/welfare-publish" --bootstrap-servers "$servers" --topic "welfare.$domain" --generator "$domain" --count "$events" --seed 5 > /dev/null; }
        if [ "$setup" = sqlite ]; then
            store="$work/$domain.sqlite"; instances=1
        else
            instances=${setup#postgresql:}
            db="bench_$(date +%s%N)"
            psql -qtA "$WELFARE_TEST_POSTGRES_URL" -c "CREATE DATABASE $db" > /dev/null
            store=${WELFARE_TEST_POSTGRES_URL/\/\/\/postgres\?/\/\/\/$db?}
        fi
        pids=()
        for i in $(seq 1 "$instances"); do
            WELFARE_HTTP_PORT=$((19200 + i)) "$bin/$domain-worker" --bootstrap-servers "$servers" --store "$store" 2> "$work/worker-$i.log" &
            pids+=($!)
        done
        alive() { for pid in "${pids[@]}"; do kill -0 "$pid" 2> /dev/null || { echo "a worker died:" >&2; cat "$work"/worker-*.log >&2; exit 1; }; done; }
        owners() { # instances that have partitions assigned, from their /metrics
            local n=0 owned='^welfare_partition_owner_epoch\{'
            [ "$setup" != sqlite ] || owned='^welfare_partition_lag_messages\{'
            for i in $(seq 1 "$instances"); do
                curl -s "http://127.0.0.1:$((19200 + i))/metrics" | grep -Eq "$owned" && n=$((n + 1))
            done
            echo "$n"
        }
        # The input is published once every instance has its partitions: the workers take it as it comes, and
        # a group forming in stages (one instance at work, then a rebalance that hands partitions to the
        # others) is not part of what is measured.
        while [ "$(owners)" -lt "$instances" ]; do alive; sleep 0.1; done
        publish
        while [ "$(finished "$store")" -eq 0 ]; do alive; sleep 0.05; done
        start=$(date +%s.%N)
        counted=$(( events - $(finished "$store") ))
        while [ "$(finished "$store")" -lt "$events" ]; do alive; sleep 0.1; done
        end=$(date +%s.%N)
        p99=$(for i in $(seq 1 "$instances"); do curl -s "http://127.0.0.1:$((19200 + i))/metrics"; done | awk '
            /^welfare_transaction_seconds_bucket/ { match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n[le] += $NF; if (!(le in seen)) { order[++k] = le; seen[le] = 1 } }
            END { total = n["+Inf"]; for (i = 1; i <= k; i++) if (n[order[i]] >= 0.99 * total) { print order[i] "s"; exit } }')
        rss=0; cpu=0
        for pid in "${pids[@]}"; do
            rss=$(( $(awk '/VmHWM/ {print $2}' /proc/$pid/status) / 1024 > rss ? $(awk '/VmHWM/ {print $2}' /proc/$pid/status) / 1024 : rss ))
            cpu=$(awk -v c="$cpu" -v hz="$(getconf CLK_TCK)" '{print c + ($14 + $15) / hz}' /proc/$pid/stat)
        done
        # The workers first, while the broker still takes the notifications they deliver as they stop.
        kill "${pids[@]}" 2> /dev/null || true
        wait "${pids[@]}" 2> /dev/null || true
        kill "$broker" 2> /dev/null || true
        wait "$broker" 2> /dev/null || true
        rm -f "$work/broker" "$work/$domain.sqlite"*
        awk -v d="$domain" -v s="$setup" -v e="$counted" -v t="$events" -v a="$start" -v b="$end" -v p="${p99:-?}" -v r="$rss" -v c="$cpu" \
            'BEGIN { printf "%-24s %-10s %9.0f %9s %10d %12.2f\n", d, s, e / (b - a), p, r, c * 1000 / t }'
    done
done
