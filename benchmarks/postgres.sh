#!/bin/sh
# Start or stop a throwaway PostgreSQL server for the benchmarks, on 127.0.0.1.
#
#   benchmarks/postgres.sh start [DIR] [PORT]   # prints the workspace URL to use
#   benchmarks/postgres.sh stop [DIR]
#
# Under root the server runs as the postgres system user, because initdb and
# postgres exit with an error when run as root. fsync is off, because the data is thrown away.
set -eu
action=${1:?usage: postgres.sh start|stop [DIR] [PORT]}
dir=${2:-/tmp/rasr-bench/postgres}
port=${3:-55432}
as_user=""
if [ "$(id -u)" = 0 ]; then as_user="runuser -u postgres --"; fi

case "$action" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        $as_user initdb --pgdata "$dir/data" --username postgres --auth trust >/dev/null
        printf "listen_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\n" "$dir" \
            >>"$dir/data/postgresql.conf"
    fi
    $as_user pg_ctl --pgdata "$dir/data" --log "$dir/server.log" --wait -o "-p $port" start >/dev/null
    psql -h 127.0.0.1 -p "$port" -U postgres -c "CREATE DATABASE rasr_bench" >/dev/null 2>&1 || true
    echo "postgresql://postgres@127.0.0.1:$port/rasr_bench"
    ;;
stop)
    $as_user pg_ctl --pgdata "$dir/data" --mode fast --wait stop >/dev/null
    ;;
*)
    echo "unknown action $action: use start or stop" >&2
    exit 2
    ;;
esac
