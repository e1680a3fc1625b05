#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server.
#
# The server lives in a temporary directory, listens on a free port on 127.0.0.1
# only, uses a UTF-8 locale, and is stopped and removed when the command exits,
# whether it passed or failed. DATABASE_URL is exported for the command.
set -euo pipefail

# The server binaries, the temporary directory and the user (shared with the other script).
source "$(dirname "$0")/postgres-common.sh" platform-pg.XXXXXX
port=$(free_port)

cleanup() {
  status=$?
  "${run_as[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
  exit $status
}
trap cleanup EXIT INT TERM

"${run_as[@]}" "$pg_bin/initdb" -D "$tmp/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 \
  || { cat "$tmp/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$pg_bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
  -o "-h 127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null \
  || { cat "$tmp/server.log" >&2; exit 1; }
"${run_as[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE platform TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'" postgres

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/platform"
echo "PostgreSQL $version running on 127.0.0.1:$port (data in $tmp)"
"$@"
