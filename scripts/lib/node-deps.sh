# Node.js helpers for the scripts: dependencies from the lockfile, the dashboard build. Sourced.
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

# The dashboard's Next.js production build (also its typecheck); the log is kept, its tail shown on failure.
build_dashboard() {
  log "building the dashboard (Next.js production build)"
  (cd "$TERN_ROOT" && npx next build apps/dashboard >"$TERN_DATA_DIR/logs/dashboard-build.log" 2>&1) \
    || { tail -40 "$TERN_DATA_DIR/logs/dashboard-build.log"; die "dashboard build failed"; }
}
