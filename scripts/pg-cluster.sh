#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the hub's tests: initdb in a temporary folder, its own
# port and socket folder, no TCP listener, trust for the local socket only.
#   eval "$(scripts/pg-cluster.sh start)"   prints SOBAUCU_TEST_POSTGRES=... and SOBAUCU_PG_DIR=...
#   scripts/pg-cluster.sh stop DIR          stops it and removes the folder
# initdb and postgres refuse to run as root: as root they run as the distribution's `postgres`
# user, in a folder it owns outside /root. The distribution's own `main` cluster is left alone.
set -euo pipefail

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg-cluster: PostgreSQL is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    dir="$(mktemp -d /tmp/sobaucu-pg.XXXXXX)"
    chmod 700 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    # A free port: the first from 55432 up that nothing listens on.
    port=55432
    while (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null || [ -e "/tmp/.s.PGSQL.$port" ] \
      || ls /tmp/sobaucu-pg.*/.s.PGSQL."$port" >/dev/null 2>&1; do
      port=$((port + 1))
    done
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses='' -c fsync=off -c max_connections=300 -c shared_buffers=128MB" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    # The socket folder must be reachable by whoever runs the tests.
    chmod 711 "$dir"
    echo "export SOBAUCU_PG_DIR=$dir"
    echo "export SOBAUCU_TEST_POSTGRES='host=$dir port=$port user=postgres dbname=postgres'"
    ;;
  stop)
    dir="${2:?say the folder of the cluster}"
    case "$dir" in /tmp/sobaucu-pg.*) ;; *) echo "pg-cluster: $dir is not a cluster of this script" >&2; exit 1 ;; esac
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
