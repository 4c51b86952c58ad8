#!/usr/bin/env bash
# Starts or stops the api, the pipeline services and the dashboard as background processes (logs in $TERN_DATA_DIR/logs).
# Usage: services.sh start|stop|status
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TERN_ROOT"
SERVICES=(feature-extractor head-trainer fine-tuner pipeline-orchestrator api dashboard)
RUN_DIR="$TERN_DATA_DIR/run"
mkdir -p "$RUN_DIR" "$TERN_DATA_DIR/logs"

running() { [[ -f "$RUN_DIR/$1.pid" ]] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

# The api's first admin token (written once, readable only by this user): used by the demo and by you.
admin_token() {
  local file="$TERN_DATA_DIR/api-admin-token"
  if [[ ! -s "$file" ]]; then
    (umask 077; node -e "process.stdout.write('tern_' + require('crypto').randomBytes(24).toString('base64url'))" > "$file")
  fi
  cat "$file"
}

start() {
  TERN_BOOTSTRAP_ADMIN_TOKEN="$(admin_token)"
  export TERN_BOOTSTRAP_ADMIN_TOKEN
  for s in "${SERVICES[@]}"; do
    if running "$s"; then log "$s already running"; continue; fi
    if [[ "$s" == dashboard ]]; then
      # The Next.js production build (scripts/start.sh builds it), talking to the local api.
      [[ -f apps/dashboard/.next/BUILD_ID ]] || die "the dashboard is not built: npx next build apps/dashboard"
      TERN_API_URL="http://127.0.0.1:${TERN_API_PORT:-8080}" NEXT_TELEMETRY_DISABLED=1 \
        setsid nohup node node_modules/next/dist/bin/next start apps/dashboard --port "${TERN_DASHBOARD_PORT:-3000}" --hostname 127.0.0.1 >>"$TERN_DATA_DIR/logs/$s.log" 2>&1 < /dev/null &
    else
      TERN_WORKER_ID="$s-$(hostname)" TERN_ARTIFACT_DIR="${TERN_ARTIFACT_DIR:-$TERN_DATA_DIR/artifacts}" TERN_SAMPLE_DIR="${TERN_SAMPLE_DIR:-$TERN_DATA_DIR/samples}" \
        setsid nohup node --import tsx "apps/$s/src/main.ts" >>"$TERN_DATA_DIR/logs/$s.log" 2>&1 < /dev/null &
    fi
    echo $! > "$RUN_DIR/$s.pid"
    log "started $s (pid $!, log $TERN_DATA_DIR/logs/$s.log)"
  done
  sleep 2
  for s in "${SERVICES[@]}"; do running "$s" || { tail -20 "$TERN_DATA_DIR/logs/$s.log" >&2; die "$s exited at start"; }; done
}

stop() {
  for s in "${SERVICES[@]}"; do
    if running "$s"; then kill "$(cat "$RUN_DIR/$s.pid")"; log "stopping $s"; fi
  done
  for s in "${SERVICES[@]}"; do
    for _ in $(seq 1 60); do running "$s" || break; sleep 0.5; done
    running "$s" && kill -9 "$(cat "$RUN_DIR/$s.pid")"
    rm -f "$RUN_DIR/$s.pid"
  done
}

status() { for s in "${SERVICES[@]}"; do if running "$s"; then echo "$s: running"; else echo "$s: stopped"; fi; done; }

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
