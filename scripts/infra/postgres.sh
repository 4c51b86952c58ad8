#!/usr/bin/env bash
# PostgreSQL from Debian's packages, in a data directory of Tern's own, on loopback.
# Usage: postgres.sh start|stop|status. Idempotent: start finds a running server and leaves it.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

PG_DIR="$TERN_DATA_DIR/postgres"
PG_LOG="$TERN_DATA_DIR/logs/postgres.log"

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  [[ -n "$dir" && -x "$dir/initdb" ]] || return 1
  echo "$dir"
}

# initdb refuses to run as root: run the server as the 'postgres' system user then.
as_pg_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

is_ready() { "$(pg_bin)/pg_isready" -h 127.0.0.1 -p "$TERN_PG_PORT" -q; }
# Ours = the server whose pid file is in our data directory (another checkout may use the port).
is_ours() { [[ -f "$PG_DIR/postmaster.pid" ]] && kill -0 "$(head -1 "$PG_DIR/postmaster.pid")" 2>/dev/null; }

ensure_installed() {
  pg_bin >/dev/null || apt_install postgresql
  pg_bin >/dev/null || die "PostgreSQL binaries not found under /usr/lib/postgresql after install"
}

start() {
  ensure_installed
  local bin; bin="$(pg_bin)"
  mkdir -p "$TERN_DATA_DIR/logs"
  chmod 755 "$TERN_DATA_DIR" "$TERN_DATA_DIR/logs"
  if is_ready; then
    is_ours || die "another PostgreSQL already listens on 127.0.0.1:$TERN_PG_PORT (not $PG_DIR): stop it or set TERN_PG_PORT"
    log "postgres already running on 127.0.0.1:$TERN_PG_PORT"; ensure_database; return 0
  fi
  if [[ ! -f "$PG_DIR/PG_VERSION" ]]; then
    log "initialising postgres data directory $PG_DIR"
    mkdir -p "$PG_DIR"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PG_DIR"
    chmod 700 "$PG_DIR"
    local pwfile; pwfile="$(mktemp)"; echo "$TERN_PG_PASSWORD" > "$pwfile"; chmod 644 "$pwfile"
    as_pg_user "$bin/initdb" -D "$PG_DIR" -U "$TERN_PG_USER" --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  touch "$PG_LOG"; [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PG_LOG"
  # Unix socket in the data dir: no clash with a system cluster's /var/run/postgresql.
  as_pg_user "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $TERN_PG_PORT -c unix_socket_directories=$PG_DIR -c max_connections=200 -c fsync=${TERN_PG_FSYNC:-on}" start >/dev/null \
    || { tail -20 "$PG_LOG" >&2; die "postgres failed to start (log: $PG_LOG)"; }
  wait_until 60 "postgres on 127.0.0.1:$TERN_PG_PORT" is_ready || die "postgres not ready (log: $PG_LOG)"
  ensure_database
}

ensure_database() {
  local bin; bin="$(pg_bin)"
  if ! PGPASSWORD="$TERN_PG_PASSWORD" "$bin/psql" -h 127.0.0.1 -p "$TERN_PG_PORT" -U "$TERN_PG_USER" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$TERN_PG_DATABASE'" | grep -q 1; then
    log "creating database $TERN_PG_DATABASE"
    PGPASSWORD="$TERN_PG_PASSWORD" "$bin/createdb" -h 127.0.0.1 -p "$TERN_PG_PORT" -U "$TERN_PG_USER" "$TERN_PG_DATABASE"
  fi
}

stop() {
  local bin; bin="$(pg_bin)" || { log "postgres not installed"; return 0; }
  if [[ -f "$PG_DIR/postmaster.pid" ]]; then
    as_pg_user "$bin/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null && log "postgres stopped"
  else
    log "postgres not running"
  fi
}

status() { if is_ready; then echo "postgres: running on 127.0.0.1:$TERN_PG_PORT"; else echo "postgres: stopped"; return 1; fi; }

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
