#!/usr/bin/env bash
# Generates the Prisma client and applies committed migrations, offline (wasm schema engine).
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$TERN_ROOT"
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
log "generating Prisma client"
node node_modules/prisma/build/index.js generate --no-hints >/dev/null
log "applying migrations"
node node_modules/prisma/build/index.js migrate deploy 2>&1 | grep -E "migration|applied|Error|error" >&2 || true
node node_modules/prisma/build/index.js migrate status >/dev/null 2>&1 || die "database schema is not up to date (run: npx prisma migrate status)"
