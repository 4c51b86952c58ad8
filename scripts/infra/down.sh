#!/usr/bin/env bash
# Stops what up.sh started. Data stays in $TERN_DATA_DIR; delete it for a clean slate.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
bash "$TERN_ROOT/scripts/services.sh" stop
bash "$TERN_ROOT/scripts/infra/kafka.sh" stop
bash "$TERN_ROOT/scripts/infra/postgres.sh" stop
