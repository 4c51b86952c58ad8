#!/usr/bin/env bash
# README command 2: installs and starts everything the tests need, then runs every test.
#   lint (module boundaries enforced) → typecheck → dashboard build → Jest (unit, integration on real
#   Postgres and Kafka, end to end over HTTP, gRPC and Chromium; screenshots in test-artifacts/)
# Extra arguments go to Jest, e.g. `bash scripts/test.sh libs/messaging`.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$TERN_ROOT/scripts/lib/node-deps.sh"
source "$TERN_ROOT/scripts/lib/deploy-tools.sh"
cd "$TERN_ROOT"

ensure_node_deps
# Real labelled images for the ML tests (Debian package; the Twemoji set comes from npm).
apt_install dataset-fashion-mnist
# Debian's Chromium for the dashboard's browser tests (driven by playwright-core; no downloaded browser).
apt_install chromium
# kustomize renders the Kubernetes overlays that the deployment checks validate.
[[ -n "${TERN_KUSTOMIZE:-}" ]] || ensure_kustomize
bash scripts/infra/up.sh

if [[ $# -eq 0 ]]; then
  log "lint"
  npx nx run-many -t lint --outputStyle=static --skipNxCache >/dev/null 2>"$TERN_DATA_DIR/logs/lint.log" \
    || { cat "$TERN_DATA_DIR/logs/lint.log"; npx nx run-many -t lint --outputStyle=static --skipNxCache; die "lint failed"; }
  log "typecheck"
  npx tsc -p tsconfig.json || die "typecheck failed"
  # The dashboard's production build (also its typecheck); the browser test serves it with
  # `next start`. A partial run (arguments) leaves it to the browser test, which builds if asked to run.
  build_dashboard
  export TERN_DASHBOARD_PREBUILT=1
fi

log "jest"
results="$TERN_DATA_DIR/jest-results.json"
set +e
npx jest --ci --json --outputFile="$results" "$@"
status=$?
set -e
# One plain closing line, whatever the runner printed above.
node -e '
  const r = require(process.argv[1]);
  // A suite can fail without a failing test (a hook timing out, a file that does not load): say so.
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped; suites: ${r.numPassedTestSuites} passed, ${r.numFailedTestSuites} failed`);
' "$results" || true
exit $status
