# Tools the deployment checks need. Sourced, never run.
# kustomize renders k8s/ overlays; built once from the Go module proxy into $TERN_DATA_DIR/bin.
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.7.1}"

ensure_kustomize() {
  local bin="$TERN_DATA_DIR/bin/kustomize"
  if [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -q "$KUSTOMIZE_VERSION"; then return 0; fi
  command -v go >/dev/null || die "the deployment checks need kustomize; install Go (1.22+) so that it can be built, or set TERN_KUSTOMIZE to a kustomize $KUSTOMIZE_VERSION binary"
  log "building kustomize $KUSTOMIZE_VERSION (Go module proxy; first run only)"
  mkdir -p "$TERN_DATA_DIR/bin"
  GOBIN="$TERN_DATA_DIR/bin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
}
