#!/usr/bin/env bash
# The cluster demo (`make run-cluster`): a local PostgreSQL, the embedded broker, two instances of each worker
# sharing one database per worker in one consumer group; one instance of each is killed (SIGKILL) in the middle.
# The report shows that every event has exactly one outcome and which instance took over which partitions.
#   ops/run-cluster.sh [EVENTS_PER_WORKER]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${WELFARE_TEST_POSTGRES_URL:-}" ]; then
    WELFARE_PG_DURABLE=1 exec bash ops/test-postgres.sh bash "$0" "$@"
fi
events=${1:-20000}
bin=${WELFARE_BIN:-.build/release}
work=$(mktemp -d /tmp/welfare-cluster.XXXXXX)
trap 'pkill -KILL -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
# Development secrets only.
export WELFARE_STORE_IDENTITY_KEY=dev-only-identity-key-change-me-0123456789
export WELFARE_DOMAIN_CERTIFICATE_SECRET=dev-only-certificate-secret-change-me
export WELFARE_DOMAIN_VOUCHER_SECRET=dev-only-voucher-secret-change-me
export WELFARE_LOG_LEVEL=info WELFARE_KAFKA_SESSION_TIMEOUT_MS=6000 WELFARE_KAFKA_HEARTBEAT_INTERVAL_MS=500
# Every outcome kept, so that the report can count one per event (the generated streams span more than 90 days).
export WELFARE_STORE_EVENT_ID_RETENTION=0
domains=(volunteer-hours mutual-aid-claims new-employment-benefits)
sql() { psql -qtAX "$1" -c "$2"; }

"$bin/welfare-broker" --address-file "$work/broker" > /dev/null 2>&1 &
while [ ! -s "$work/broker" ]; do sleep 0.1; done
servers=$(cat "$work/broker")
echo "== Broker $servers, PostgreSQL ${WELFARE_TEST_POSTGRES_URL%%\?*} (a throwaway cluster)"

declare -A url published first second publisher
for domain in "${domains[@]}"; do
    db=${domain//-/_}_$$
    sql "$WELFARE_TEST_POSTGRES_URL" "CREATE DATABASE $db"
    url[$domain]=${WELFARE_TEST_POSTGRES_URL/\/\/\/postgres\?/\/\/\/$db?}
    # Published as a stream while the instances work, so that the kill lands in the middle of it.
    published[$domain]=$events
    "$bin/welfare-publish" --bootstrap-servers "$servers" --topic "welfare.$domain" --generator "$domain" --count "$events" --seed 7 \
        --rate $(( events / 15 )) > "$work/$domain-publish.log" &
    publisher[$domain]=$!
    "$bin/$domain-worker" --bootstrap-servers "$servers" --store "${url[$domain]}" 2> "$work/$domain-a.log" &
    first[$domain]=$!
    "$bin/$domain-worker" --bootstrap-servers "$servers" --store "${url[$domain]}" 2> "$work/$domain-b.log" &
    second[$domain]=$!
    echo "   $domain: publishing ${published[$domain]} events over 15 s; instances A (pid ${first[$domain]}) and B (pid ${second[$domain]})"
done
finished() { sql "${url[$1]}" "SELECT coalesce(sum(next_offset), 0) FROM runtime_partition_offsets" 2>/dev/null || echo 0; }
owned() { sql "${url[$1]}" "SELECT coalesce(string_agg(partition::text, ',' ORDER BY partition), '-') FROM runtime_partition_offsets WHERE owner LIKE '%:$2:%'"; }

# Kill each worker's A once that worker is a third of the way through (all three watched at once).
declare -A before=()
killed=0
while [ "$killed" -lt ${#domains[@]} ]; do
    for domain in "${domains[@]}"; do
        [ -z "${before[$domain]:-}" ] || continue
        [ "$(finished "$domain")" -ge $(( ${published[$domain]} / 3 )) ] || continue
        before[$domain]=$(owned "$domain" "${first[$domain]}")
        kill -KILL "${first[$domain]}"
        wait "${first[$domain]}" 2> /dev/null || true
        echo "== Killed $domain A (pid ${first[$domain]}) at $(finished "$domain") of ${published[$domain]} events; it owned partitions ${before[$domain]}"
        killed=$((killed + 1))
    done
    sleep 0.1
done

wait "${publisher[@]}"
deadline=$(( $(date +%s) + 300 ))
# Done when every event is finished and B has taken A's partitions (after the session timeout).
for domain in "${domains[@]}"; do
    until [ "$(finished "$domain")" -ge "${published[$domain]}" ] && [ "$(owned "$domain" "${first[$domain]}")" = - ]; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "$domain did not finish; its log:"; tail -20 "$work/$domain-b.log"; exit 1; }
        sleep 0.2
    done
done

echo "== Report"
status=0
for domain in "${domains[@]}"; do
    u=${url[$domain]}
    outcomes=$(sql "$u" "SELECT count(*) FROM runtime_message_outcomes")
    distinct=$(sql "$u" "SELECT count(*) FROM (SELECT DISTINCT partition, \"offset\" FROM runtime_message_outcomes) positions")
    counts=$(sql "$u" "SELECT string_agg(outcome || ' ' || n, ', ' ORDER BY outcome) FROM (SELECT outcome, count(*) AS n FROM runtime_message_outcomes GROUP BY outcome) o")
    echo "   $domain: ${published[$domain]} events, $outcomes outcomes at $distinct input positions ($counts)"
    if [ "$outcomes" -eq "${published[$domain]}" ] && [ "$distinct" -eq "$outcomes" ]; then
        echo "     every event has exactly one outcome"
    else
        echo "     MISMATCH"; status=1
    fi
    echo "     A (killed) owned partitions ${before[$domain]}; B now owns $(owned "$domain" "${second[$domain]}") (epochs: $(sql "$u" "SELECT string_agg(partition || ':' || owner_epoch, ' ' ORDER BY partition) FROM runtime_partition_offsets"))"
    echo "     B's log: $(grep -c 'partitions assigned' "$work/$domain-b.log") assignments, $(grep -c 'outbox messages left by an earlier run' "$work/$domain-b.log") outbox hand-overs"
    kill -TERM "${second[$domain]}"
done
wait "${second[@]}" 2> /dev/null || true
exit $status
