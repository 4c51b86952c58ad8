#!/bin/sh
# Container entrypoint. No argument: run the service named by TERN_APP.
#   migrate              apply committed Prisma migrations (run once, as a Job, before the apps)
#   wait-for-migrations  block until the database schema is current (init container of every app)
#   provision-topics     create every Kafka topic and its dead-letter topic (idempotent)
set -eu
cd /app
prisma() { node node_modules/prisma/build/index.js "$@"; }

case "${1:-serve}" in
  serve)
    [ -n "${TERN_APP:-}" ] || { echo "TERN_APP is not set (api, feature-extractor, head-trainer, fine-tuner, pipeline-orchestrator)" >&2; exit 78; }
    [ -f "apps/$TERN_APP/src/main.ts" ] || { echo "unknown TERN_APP '$TERN_APP'" >&2; exit 78; }
    exec node --import tsx "apps/$TERN_APP/src/main.ts" ;;
  migrate)
    exec env CHECKPOINT_DISABLE=1 node node_modules/prisma/build/index.js migrate deploy ;;
  wait-for-migrations)
    i=0
    until CHECKPOINT_DISABLE=1 prisma migrate status >/dev/null 2>&1; do
      i=$((i + 1))
      [ "$i" -le "${TERN_MIGRATION_WAIT_TRIES:-120}" ] || { echo "database schema still not current; is the migration Job failing?" >&2; exit 1; }
      echo "waiting for migrations ($i)" >&2
      sleep 5
    done ;;
  provision-topics)
    exec node --import tsx tools/infra/provision-topics.ts ;;
  *)
    exec "$@" ;;
esac
