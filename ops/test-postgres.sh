#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for one command: initdb into a temporary folder, a private port on a Unix
# socket only (no TCP), the command run with WELFARE_TEST_POSTGRES_URL pointing at it, then the cluster
# stopped and its folder removed, whatever the command's outcome.
#   ops/test-postgres.sh swift test --skip-build
# The cluster trades durability for speed (fsync off): it lives only as long as the command. With
# WELFARE_PG_DURABLE=1 it keeps PostgreSQL's durable defaults (for benchmarks).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL's server programs are missing (Debian's postgresql package): run ops/install-deps.sh" >&2; exit 1; }

dir=$(mktemp -d /tmp/welfare-pg.XXXXXX)
chmod 755 "$dir"
# initdb refuses root: as root the cluster belongs to Debian's postgres user.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
    as_owner=(runuser -u postgres --)
fi
port=$(( 20000 + RANDOM % 20000 ))
stop() {
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
settings="-p $port -k $dir -c listen_addresses= -c max_connections=400 -c shared_buffers=256MB"
[ "${WELFARE_PG_DURABLE:-0}" = 1 ] || settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o "$settings" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
echo "test PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $dir port $port" >&2

export WELFARE_TEST_POSTGRES_URL="postgresql:///postgres?host=$dir&port=$port&user=postgres"
set +e
"$@"
status=$?
set -e
exit $status
