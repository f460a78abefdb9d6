#!/usr/bin/env bash
# The city-scale curve (docs/PERFORMANCE.md): seeds stores of years of events through the domains' own
# processing, then measures each worker end to end on top of them. Needs a release build (make release),
# about 30 GB free in CITY_DIR and, for 50 million volunteer-hours events, about an hour to seed.
# Seeded stores are kept and reused; each measurement adds its events to the store it ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=.build/release/welfare-bench
dir=${CITY_DIR:-/var/tmp/welfare-city}
volunteer_events=${VOLUNTEER_EVENTS:-50000000}
mkdir -p "$dir"

seed() {  # domain store events
    [ -e "$2" ] || "$bench" seed "$1" --store "$2" --events "$3" ${4:+--snapshots $4}
}
seed volunteer-hours "$dir/volunteers.sqlite" "$volunteer_events" "1000000 10000000"
seed mutual-aid-claims "$dir/claims.sqlite" 300000
seed new-employment-benefits "$dir/benefits.sqlite" 5000000
# Stores kept from an older build get this build's schema steps first, so no measurement includes them.
for store in "$dir"/*.sqlite "$dir"/*.sqlite.*0; do
    [ -e "$store" ] && .build/release/welfare-admin store upgrade "$store"
done

run() {  # label command...
    echo "== $1"
    shift
    "$@" | grep -E 'end to end|batch|RSS|claim-status|store|outcomes'
}
run "volunteer hours, empty store" "$bench" volunteer-hours --uuid-ids --partitions 192 --events 400000
for size in 1000000 10000000; do
    [ -e "$dir/volunteers.sqlite.$size" ] && run "volunteer hours on $size events" \
        "$bench" volunteer-hours --uuid-ids --partitions 192 --events 400000 --store "$dir/volunteers.sqlite.$size"
done
run "volunteer hours on $volunteer_events events" "$bench" volunteer-hours --uuid-ids --partitions 192 --events 400000 --store "$dir/volunteers.sqlite"
run "claims, empty store" "$bench" mutual-aid-claims --lookup-claims 0
run "claims on the seeded store, then claim-status on it and on 1,000,000 claims" "$bench" mutual-aid-claims --store "$dir/claims.sqlite"
run "benefits, empty store" "$bench" new-employment-benefits
run "benefits on the seeded store" "$bench" new-employment-benefits --store "$dir/benefits.sqlite"
