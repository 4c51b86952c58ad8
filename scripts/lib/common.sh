# Shared settings for Tern's shell scripts. Sourced, never run.
# Every value can be overridden from the environment; .env (if present) is read first.
set -euo pipefail

TERN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export TERN_ROOT

if [[ -f "$TERN_ROOT/.env" ]]; then
  set -a; # shellcheck disable=SC1091
  source "$TERN_ROOT/.env"; set +a
fi

export TERN_DATA_DIR="${TERN_DATA_DIR:-$TERN_ROOT/.tern-data}"
export TERN_PG_PORT="${TERN_PG_PORT:-55432}"
export TERN_PG_USER="${TERN_PG_USER:-tern}"
export TERN_PG_PASSWORD="${TERN_PG_PASSWORD:-tern}"
export TERN_PG_DATABASE="${TERN_PG_DATABASE:-tern}"
export TERN_KAFKA_PORT="${TERN_KAFKA_PORT:-59092}"
export TERN_KAFKA_CONTROLLER_PORT="${TERN_KAFKA_CONTROLLER_PORT:-59093}"
export TERN_KAFKA_VERSION="${TERN_KAFKA_VERSION:-3.9.1}"
export DATABASE_URL="${DATABASE_URL:-postgresql://$TERN_PG_USER:$TERN_PG_PASSWORD@127.0.0.1:$TERN_PG_PORT/$TERN_PG_DATABASE}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:$TERN_KAFKA_PORT}"
export NX_NO_CLOUD=true NX_DAEMON=false NEXT_TELEMETRY_DISABLED=1

log() { printf '\033[1;34m[tern]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[tern] error:\033[0m %s\n' "$*" >&2; exit 1; }

# apt-get install only what is missing; apt-get update once per run.
_apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null || die "need Debian packages ${missing[*]} but apt-get is not available"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  if [[ $_apt_updated -eq 0 ]]; then $sudo apt-get update -qq >&2; _apt_updated=1; fi
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# wait_until <seconds> <description> <command...>
wait_until() {
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS >= deadline )) && return 1
    sleep 0.5
  done
  log "$what is ready"
}
