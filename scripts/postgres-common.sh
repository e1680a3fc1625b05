# Shared by scripts/with-postgres.sh and scripts/with-cluster.sh (sourced, not run): find the
# PostgreSQL server binaries (15 or newer), make the throwaway directory the servers live in,
# and run them as the "postgres" user when started as root.
#
# Sets: pg_bin, tmp, run_as (a command prefix, empty unless root). Defines: free_port.
# Takes: the mktemp template for the directory name, as $1.

pg_bin=""
for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$dir/initdb" ]; then pg_bin="$dir"; break; fi
done
[ -n "$pg_bin" ] || { echo "error: PostgreSQL server binaries not found (install the 'postgresql' package)" >&2; exit 1; }
version=$("$pg_bin/postgres" --version | grep -oE '[0-9]+' | head -1)
[ "$version" -ge 15 ] || { echo "error: PostgreSQL 15+ is required, found $version" >&2; exit 1; }

tmp=$(mktemp -d -t "$1")
chmod 755 "$tmp"
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home "$tmp" postgres
  chown postgres "$tmp"
  run_as=(runuser -u postgres --)
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
