#!/usr/bin/env bash
# Side-by-side: the same loads against `confab --server` and against the tutorial Node.js
# broadcast server (bench/ws-broadcast.mjs, package `ws`), interleaved and repeated, medians
# in a table with the ratios and the targets of issue #9. docs/PERFORMANCE.md has a result.
#
#   bench/compare.sh [--quick] [--runs N] [--no-10k] [--only LOADS] [--out DIR]
#
#   --quick    about a minute: one run of each load, short windows, no 10,000 idle clients
#   --runs N   repeats of each load per server (3; the table shows the median)
#   --no-10k   skip holding 10,000 idle clients (the slowest part of a full run)
#   --only L   run only these loads, comma-separated, from: sat-w4 sat-w32 p99-100 p99-1k
#              idle-2k idle-10k (e.g. --only idle-2k,idle-10k for the memory figures)
#   --out DIR  where raw results go (default: a new /tmp/confab-compare.XXXXXX)
#   --nice N   run servers and generator at this niceness (e.g. -10 as root, on a machine
#              busy with other work; both servers get the same)
#
# Needs: confab and loadgen built (CONFAB_BINARY, LOADGEN, or BUILD=dir; default the first of
# build-bench/ and build/ holding both), node and npm (ws is installed into bench/node_modules
# from bench/package-lock.json when missing), taskset. Writes only to bench/node_modules and
# /tmp. The server runs on CPU 0 and the generator on CPU 1; a full run takes ~12 minutes.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")

QUICK=0
RUNS=3
TENK=1
OUT=
NICE=
ONLY=
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) QUICK=1 ;;
    --runs) RUNS=$2; shift ;;
    --no-10k) TENK=0 ;;
    --only) ONLY=$2; shift ;;
    --out) OUT=$2; shift ;;
    --nice) NICE=$2; shift ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# ---------------------------------------------------------------- tools
if [[ -z ${CONFAB_BINARY:-} || -z ${LOADGEN:-} ]]; then
    for dir in ${BUILD:-} "$ROOT/build-bench" "$ROOT/build"; do
        if [[ -x $dir/app/confab && -x $dir/bench/loadgen ]]; then
            CONFAB_BINARY=${CONFAB_BINARY:-$dir/app/confab}
            LOADGEN=${LOADGEN:-$dir/bench/loadgen}
            break
        fi
    done
fi
if [[ ! -x ${CONFAB_BINARY:-} || ! -x ${LOADGEN:-} ]]; then
    cat >&2 <<EOF
compare.sh: confab and bench/loadgen are not built. Build them (Release) with:
  cmake -S $ROOT -B $ROOT/build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
  cmake --build $ROOT/build-bench --target confab loadgen
or point CONFAB_BINARY and LOADGEN at them.
EOF
    exit 2
fi
command -v node >/dev/null || { echo "compare.sh: node is needed (apt install nodejs npm)" >&2; exit 2; }
if [[ ! -d $HERE/node_modules/ws ]]; then
    echo "installing ws into bench/node_modules ..."
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) \
        || (cd "$HERE" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

# Builds with LAN announcements get --no-announce: a benchmark has nothing to announce.
CONFAB_EXTRA=()
if "$CONFAB_BINARY" --help 2>&1 | grep -q -- --no-announce; then CONFAB_EXTRA+=(--no-announce); fi

NCPU=$(nproc)
if [[ $NCPU -ge 2 ]] && command -v taskset >/dev/null; then
    PIN_SERVER=(taskset -c 0)
    PIN_GEN=(taskset -c 1)
    PINNED="server on CPU 0, generator on CPU 1"
else
    PIN_SERVER=()
    PIN_GEN=()
    PINNED="not pinned (fewer than 2 CPUs or no taskset): numbers mix both sides"
fi
if [[ -n $NICE ]]; then
    PIN_SERVER=(nice -n "$NICE" "${PIN_SERVER[@]}")
    PIN_GEN=(nice -n "$NICE" "${PIN_GEN[@]}")
    PINNED="$PINNED, niceness $NICE"
fi
hard=$(ulimit -Hn)
if [[ $hard == unlimited || $hard -gt 65536 ]]; then hard=65536; fi
ulimit -n "$hard"
MAXFD=$(ulimit -n)

OUT=${OUT:-$(mktemp -d /tmp/confab-compare.XXXXXX)}
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
: >"$RESULTS"

if [[ $QUICK == 1 ]]; then
    RUNS=1; TENK=0; WARMUP=0.5; DURATION=2; IDLE_HOLD=1
else
    WARMUP=2; DURATION=8; IDLE_HOLD=3
fi

# ---------------------------------------------------------------- servers
SERVER_PID=
SERVER_PORT=
start_server() { # confab|ws, log file
    local kind=$1 log=$2
    if [[ $kind == confab ]]; then
        local data
        data=$(mktemp -d "$OUT/data.XXXXXX")
        "${PIN_SERVER[@]}" "$CONFAB_BINARY" --server --port 0 --bind 127.0.0.1 \
            --data-dir "$data" --max-rate 0 --max-clients 20000 --max-per-address 20000 \
            "${CONFAB_EXTRA[@]}" >"$log" 2>&1 &
    else
        "${PIN_SERVER[@]}" node "$HERE/ws-broadcast.mjs" --port 0 --bind 127.0.0.1 >"$log" 2>&1 &
    fi
    SERVER_PID=$!
    SERVER_PORT=
    for _ in $(seq 150); do
        SERVER_PORT=$(sed -n 's|.*listening on ws://[^ ]*:\([0-9][0-9]*\).*|\1|p' "$log" | head -1)
        [[ -n $SERVER_PORT ]] && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "compare.sh: the $kind server did not start; its log:" >&2
    cat "$log" >&2
    return 1
}
stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}
trap 'stop_server; rm -rf "$OUT"/data.*' EXIT

# One load against one fresh server; appends "server<TAB>load<TAB>run<TAB>key=value line".
run_load() { # server, load name, run, loadgen args...
    local server=$1 load=$2 run=$3
    shift 3
    local log="$OUT/$server-$load-$run.log" line status=0
    start_server "$server" "$log"
    line=$("${PIN_GEN[@]}" "$LOADGEN" --port "$SERVER_PORT" --server-pid "$SERVER_PID" \
        --label "$server/$load" "$@" 2>>"$log") || status=$?
    stop_server
    if [[ -z $line ]]; then
        line="label=$server/$load failed=1"
    fi
    [[ $status == 0 ]] || line="$line exit=$status"
    printf '%s\t%s\t%s\t%s\n' "$server" "$load" "$run" "$line" >>"$RESULTS"
    printf '  %-7s %-8s run %s: %s\n' "$server" "$load" "$run" \
        "$(tr ' ' '\n' <<<"$line" | grep -E '^(connected|ready_s|settle_s|ratio|deliveries_per_s|p50_ms|p99_ms|gen_cpu_pct|server_cpu_pct|mem_per_conn_kb|exit)=' | tr '\n' ' ')"
}

LOAD_ARGS=(--warmup "$WARMUP" --duration "$DURATION" --size 100)
declare -A LOADS=(
    [sat-w4]="--clients 100 --senders 4 --mode closed --window 4 ${LOAD_ARGS[*]}"
    [sat-w32]="--clients 100 --senders 4 --mode closed --window 32 ${LOAD_ARGS[*]}"
    [p99-100]="--clients 100 --senders 4 --mode open --rate 500 ${LOAD_ARGS[*]}"
    [p99-1k]="--clients 1000 --senders 4 --mode open --rate 50 ${LOAD_ARGS[*]}"
    [idle-2k]="--clients 2000 --mode idle --duration $IDLE_HOLD"
)
ORDER=(sat-w4 sat-w32 p99-100 p99-1k idle-2k)
if [[ -n $ONLY ]]; then
    for name in ${ONLY//,/ }; do
        if [[ $name != idle-10k && -z ${LOADS[$name]+x} ]]; then
            echo "compare.sh: --only: no load called $name (see --help)" >&2
            exit 2
        fi
    done
    picked=()
    for load in "${ORDER[@]}"; do
        [[ ,$ONLY, == *,$load,* ]] && picked+=("$load")
    done
    ORDER=("${picked[@]}")
    if [[ ,$ONLY, == *,idle-10k,* ]]; then TENK=1; else TENK=0; fi
fi

echo "confab:  $CONFAB_BINARY"
echo "loadgen: $LOADGEN"
echo "node:    $(node --version), ws $(node -p "require('$HERE/node_modules/ws/package.json').version")"
echo "machine: $NCPU CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "pinning: $PINNED; ulimit -n $MAXFD; $RUNS run(s) of each load; raw results in $OUT"
start=$(date +%s)
for run in $(seq "$RUNS"); do
    for load in "${ORDER[@]+"${ORDER[@]}"}"; do
        # Interleaved, and which server goes first alternates, so slow drifts in the
        # machine's load fall on both.
        if (((run + ${#load}) % 2)); then pair=(confab ws); else pair=(ws confab); fi
        for server in "${pair[@]}"; do
            # shellcheck disable=SC2086
            run_load "$server" "$load" "$run" ${LOADS[$load]}
        done
    done
done
if [[ $TENK == 1 ]]; then
    if [[ $MAXFD -lt 10100 ]]; then
        echo "  (10,000 idle clients skipped: ulimit -n is $MAXFD)"
    else
        for server in confab ws; do
            run_load "$server" idle-10k 1 --clients 10000 --mode idle --duration 10 \
                --settle-max 240
        done
    fi
fi
echo "load average now $(cut -d' ' -f1-3 /proc/loadavg); took $(( $(date +%s) - start )) s"
echo

# ---------------------------------------------------------------- table
awk -F'\t' -v runs="$RUNS" '
function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    if (n == 0) return ""
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
    server = $1; load = $2; n = split($4, kv, " ")
    for (i = 1; i <= n; i++) {
        eq = index(kv[i], "="); k = substr(kv[i], 1, eq - 1); v = substr(kv[i], eq + 1)
        vals[server, load, k] = vals[server, load, k] (vals[server, load, k] == "" ? "" : " ") v
        if (k == "gen_cpu_pct" && v + 0 > 90) genbound[server, load] = 1
        if (k == "ratio" && v != "1.000" && load !~ /^idle/) badratio[server, load] = badratio[server, load] " " v
        if (k == "exit") failed[server, load] = 1
    }
    seen[load] = 1
}
function m(server, load, k) { return median(vals[server, load, k]) }
function fmt(x, d) { return x == "" ? "-" : sprintf("%." d "f", x) }
function ratio(a, b, d) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%." d "f×", a / b) }
function row(what, load, k, d, target, ok,   c, w) {
    if (!seen[load]) return
    c = m("confab", load, k); w = m("ws", load, k)
    printf "| %s | %s | %s | %s | %s | %s |\n", what, fmt(c, d), fmt(w, d), ratio(c, w, 2), target, ok
}
function verdict(cond) { return cond ? "met" : "**not met**" }
END {
    print "| measure (median of " runs ") | confab | Node ws | confab / ws | target | confab |"
    print "| --- | ---: | ---: | ---: | --- | --- |"
    c = m("confab", "sat-w4", "deliveries_per_s"); w = m("ws", "sat-w4", "deliveries_per_s")
    row("100 clients, 4 senders, 100 B, closed W=4: deliveries/s", "sat-w4", "deliveries_per_s", 0, "≥ 10× ws", verdict(w > 0 && c >= 10 * w))
    row("… server CPU %", "sat-w4", "server_cpu_pct", 0, "", "")
    row("… deliveries per server CPU-second", "sat-w4", "deliveries_per_server_cpu_s", 0, "", "")
    row("… p99 ms", "sat-w4", "p99_ms", 1, "", "")
    c = m("confab", "sat-w32", "deliveries_per_s"); w = m("ws", "sat-w32", "deliveries_per_s")
    row("100 clients, 4 senders, 100 B, closed W=32: deliveries/s", "sat-w32", "deliveries_per_s", 0, "≥ 10× ws", verdict(w > 0 && c >= 10 * w))
    row("… server CPU %", "sat-w32", "server_cpu_pct", 0, "", "")
    row("… deliveries per server CPU-second", "sat-w32", "deliveries_per_server_cpu_s", 0, "", "")
    c = m("confab", "p99-100", "p99_ms")
    row("100 clients, open loop 500 msg/s = 50,000 deliveries/s: p99 ms", "p99-100", "p99_ms", 2, "< 10 ms", verdict(c != "" && c < 10))
    row("… p50 ms", "p99-100", "p50_ms", 2, "", "")
    row("… deliveries/s achieved", "p99-100", "deliveries_per_s", 0, "50,000", "")
    row("… server CPU %", "p99-100", "server_cpu_pct", 0, "", "")
    c = m("confab", "p99-1k", "p99_ms")
    row("1,000 clients, open loop 50 msg/s = 50,000 deliveries/s: p99 ms", "p99-1k", "p99_ms", 2, "< 20 ms", verdict(c != "" && c < 20))
    row("… p50 ms", "p99-1k", "p50_ms", 2, "", "")
    row("… deliveries/s achieved", "p99-1k", "deliveries_per_s", 0, "50,000", "")
    c = m("confab", "p99-1k", "connect_s")
    row("time to connect 1,000 (all upgraded) s", "p99-1k", "connect_s", 3, "< 0.5 s", verdict(c != "" && c < 0.5))
    row("… all greeted (ready) s", "p99-1k", "ready_s", 3, "", "")
    row("… until join traffic quiet s", "p99-1k", "settle_s", 3, "", "")
    c = m("confab", "idle-2k", "mem_per_conn_kb")
    row("2,000 idle clients: server memory per connection KB", "idle-2k", "mem_per_conn_kb", 2, "< 10 KB", verdict(c != "" && c < 10))
    row("… connect 2,000 s", "idle-2k", "connect_s", 3, "", "")
    row("… until join traffic quiet s", "idle-2k", "settle_s", 3, "", "")
    if (seen["idle-10k"]) {
        c = m("confab", "idle-10k", "open_at_end")
        row("10,000 idle clients held (open at end)", "idle-10k", "open_at_end", 0, "10,000", verdict(c == 10000))
        row("… server memory per connection KB", "idle-10k", "mem_per_conn_kb", 2, "", "")
        row("… connect s", "idle-10k", "connect_s", 3, "", "")
        row("… until join traffic quiet s", "idle-10k", "settle_s", 3, "", "")
        row("… server peak RSS KB", "idle-10k", "server_hwm_kb", 0, "", "")
    }
    print ""
    notes = 0
    for (key in genbound) { split(key, p, SUBSEP); print "- generator-bound: " p[1] " " p[2] " (loadgen over 90% of its core in a run; the server was not the limit)"; notes++ }
    for (key in badratio) { split(key, p, SUBSEP); print "- delivery ratio not 1.000: " p[1] " " p[2] ":" badratio[key]; notes++ }
    for (key in failed) { split(key, p, SUBSEP); print "- incomplete run (lost, refused or dropped connections): " p[1] " " p[2]; notes++ }
    if (!notes) print "- every load run: delivery ratio 1.000, generator under 90% of its core"
}' "$RESULTS" | tee "$OUT/table.md"
echo
echo "raw: $RESULTS"
