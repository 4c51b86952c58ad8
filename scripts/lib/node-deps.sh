# Installs the npm dependencies from the lockfile when they are missing or stale. Sourced.
ensure_node_deps() {
  command -v node >/dev/null || apt_install nodejs npm
  local stamp="$TERN_ROOT/node_modules/.tern-lock-hash"
  local want; want="$(sha256sum "$TERN_ROOT/package-lock.json" | cut -d' ' -f1)"
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    log "installing npm dependencies from the lockfile (npm ci)"
    (cd "$TERN_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
    echo "$want" > "$stamp"
  fi
}
