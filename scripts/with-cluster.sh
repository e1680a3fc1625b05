#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL primary and a real streaming replica.
#
# Like scripts/with-postgres.sh: the servers live in one temporary directory, listen on free
# ports on 127.0.0.1 only, use a UTF-8 locale, and are stopped and removed when the command
# exits, whether it passed or failed. The replica is a base backup of the primary taken with
# `pg_basebackup -R` (which writes standby.signal and primary_conninfo), so it streams the
# primary's WAL exactly as a production hot standby does. The command starts only once the
# replica is in recovery and the primary reports it as streaming.
#
# Exported for the command: DATABASE_URL (the primary) and REPLICA_DATABASE_URL (the replica;
# the settings then route the anonymous public reads to it, see docs/deployment.md).
set -euo pipefail

# The server binaries, the temporary directory and the user (shared with the other script).
source "$(dirname "$0")/postgres-common.sh" platform-pg-cluster.XXXXXX
port=$(free_port)
replica_port=$(free_port)
while [ "$replica_port" = "$port" ]; do replica_port=$(free_port); done

cleanup() {
  status=$?
  "${run_as[@]}" "$pg_bin/pg_ctl" -D "$tmp/replica" -m immediate stop >/dev/null 2>&1 || true
  "${run_as[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT INT TERM

psql_at() {  # psql_at PORT SQL: one value, unaligned
  "${run_as[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -XAtqc "$2"
}

# The primary: the same server as with-postgres.sh. initdb's defaults already allow streaming
# replication (wal_level=replica, max_wal_senders=10, a trusted `replication` line for
# 127.0.0.1 in pg_hba.conf).
"${run_as[@]}" "$pg_bin/initdb" -D "$tmp/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
  || { cat "$tmp/server.log" >&2; exit 1; }
"${run_as[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE platform TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" postgres

# The replica: a base backup of the running primary, with the WAL streamed alongside it and
# the standby configuration written by -R, started as a hot standby on its own port.
"${run_as[@]}" "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$tmp/replica" \
  -R -X stream -c fast --no-sync >"$tmp/basebackup.log" 2>&1 \
  || { cat "$tmp/basebackup.log" >&2; exit 1; }
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$tmp/replica" -l "$tmp/replica.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $replica_port -k $tmp -c fsync=off -c hot_standby=on -c max_connections=200" start >/dev/null \
  || { cat "$tmp/replica.log" >&2; exit 1; }

streaming=""
for _ in $(seq 1 150); do
  if [ "$(psql_at "$replica_port" 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "t" ] \
    && [ "$(psql_at "$port" "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null)" -ge 1 ]; then
    streaming=yes
    break
  fi
  sleep 0.2
done
[ -n "$streaming" ] || { echo "error: the replica did not start streaming" >&2; cat "$tmp/replica.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/platform"
export REPLICA_DATABASE_URL="postgres://postgres@127.0.0.1:$replica_port/platform"
echo "PostgreSQL $version primary on 127.0.0.1:$port, streaming replica on 127.0.0.1:$replica_port (data in $tmp)"
"$@"
