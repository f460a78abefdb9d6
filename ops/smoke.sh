#!/usr/bin/env bash
# Starts the embedded broker with every catalogued topic, sends a message through it and reads it back.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=".build/release"
log=$(mktemp)
"$bin/welfare-broker" --catalogue topics/catalogue.yaml >"$log" 2>/dev/null &
broker=$!
trap 'kill -TERM $broker 2>/dev/null; wait $broker 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do [ -s "$log" ] && break; sleep 0.1; done
address=$(head -n 1 "$log")
echo "embedded broker at $address"
echo "smoke:hello from welfare-workers" | kcat -P -b "$address" -t welfare.notifications -K :
kcat -C -b "$address" -t welfare.notifications -c 1 -e -q -f 'read back: key=%k value=%s\n'
kcat -L -b "$address" | grep -E "topic \"welfare" | sed 's/^ */topic: /'
