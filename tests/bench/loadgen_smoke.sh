#!/usr/bin/env bash
# Starts `confab --server` on a free port and runs bench/loadgen against it for about 3 s
# with 20 clients, 2 of them sending (plain guests), then 1 s speaking confab.v1 JSON.
# Passes when both runs finish with every expected delivery made exactly once (ratio=1.000).
set -euo pipefail
: "${CONFAB_BINARY:?set CONFAB_BINARY to the confab executable}"
: "${LOADGEN:?set LOADGEN to the loadgen executable}"

work=$(mktemp -d /tmp/confab-loadgen-smoke.XXXXXX)
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# (No LAN announcements from a test, where the build has them.)
extra=()
if "$CONFAB_BINARY" --help 2>&1 | grep -q -- --no-announce; then extra+=(--no-announce); fi
"$CONFAB_BINARY" --server --port 0 --bind 127.0.0.1 --data-dir "$work/data" --max-rate 0 \
    "${extra[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on ws://[^ ]*:\([0-9][0-9]*\).*|\1|p' "$work/server.log" | head -1)
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $port ]]; then
    echo "confab --server did not start:"; cat "$work/server.log"; exit 1
fi

check() { # name, loadgen output
    local line=$2
    echo "$1: $line"
    if ! grep -q ' ratio=1\.000 ' <<<"$line" || ! grep -q ' lost=0 ' <<<"$line" \
        || grep -q ' expected=0 ' <<<"$line" || ! grep -q ' connected=20 ' <<<"$line"; then
        echo "FAIL: $1: every message must reach all 20 clients exactly once"
        tail -20 "$work/server.log"
        exit 1
    fi
}

status=0
out=$("$LOADGEN" --port "$port" --clients 20 --senders 2 --mode closed --window 4 \
      --warmup 0.5 --duration 2.5 --drain 10 --server-pid "$server_pid" --label smoke-plain) || status=$?
check plain "$out"
[[ $status == 0 ]] || { echo "FAIL: loadgen exited with $status"; exit 1; }
out=$("$LOADGEN" --port "$port" --clients 20 --senders 2 --mode open --rate 200 \
      --protocol json --warmup 0.2 --duration 1 --drain 10 --server-pid "$server_pid" \
      --label smoke-json) || status=$?
check json "$out"
[[ $status == 0 ]] || { echo "FAIL: loadgen exited with $status"; exit 1; }
echo PASS
