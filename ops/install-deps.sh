#!/usr/bin/env bash
# Installs the Debian packages welfare-workers needs, only when one is missing.
# librdkafka-dev (Kafka), libsqlite3-dev (stores), libpq-dev and postgresql (the PostgreSQL engine and its throwaway test clusters), libjemalloc-dev (the processes' malloc), kcat (tests and benchmark comparison), pkg-config,
# chromium (the status page is tested in a real browser), prometheus (its promtool checks and unit-tests the alert rules).
set -euo pipefail
packages=(librdkafka-dev libsqlite3-dev libpq-dev postgresql libjemalloc-dev kcat pkg-config make python3 python3-pip chromium prometheus)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The schema tests validate topics/schemas with Python's jsonschema (draft 2020-12).
if ! python3 -c 'import jsonschema' >/dev/null 2>&1; then
    echo "installing: jsonschema"
    # PyPI first; a Debian-managed python3 refuses pip installs, so fall back to Debian's package.
    if ! python3 -m pip install --quiet jsonschema 2>/dev/null; then
        as_root=()
        [ "$(id -u)" -eq 0 ] || as_root=(sudo)
        "${as_root[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends python3-jsonschema
    fi
fi

# The interoperability tests speak the CloudEvents Kafka binding through the official Python SDK.
if ! python3 -c 'import cloudevents' >/dev/null 2>&1; then
    echo "installing: cloudevents"
    python3 -m pip install --quiet cloudevents 2>/dev/null || python3 -m pip install --quiet --break-system-packages cloudevents
fi
