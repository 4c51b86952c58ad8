#!/usr/bin/env bash
# Starts Postgres and Kafka on loopback (installing them on first use), applies the
# migrations and creates the Kafka topics. Safe to run again: running parts are left alone.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"
bash "$TERN_ROOT/scripts/infra/postgres.sh" start
bash "$TERN_ROOT/scripts/infra/kafka.sh" start
bash "$TERN_ROOT/scripts/db-migrate.sh"
log "provisioning Kafka topics"
(cd "$TERN_ROOT" && node --import tsx tools/infra/provision-topics.ts)
