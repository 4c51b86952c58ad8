#!/usr/bin/env bash
# README command 1: sets everything up (npm deps, Postgres, Kafka, migrations, topics), starts the
# pipeline services, and runs the main job on real images (Twemoji categories):
#   1. through the REST api: upload a zip, split, a pipeline (extraction in 2 shards → head → promotion) followed over SSE, predict;
#   2. the same recipe in one process with the tern CLI, with fine-tuning and a from-scratch comparison,
#      then a prediction with the exported model.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$TERN_ROOT/scripts/lib/node-deps.sh"
cd "$TERN_ROOT"

ensure_node_deps
bash scripts/infra/up.sh
build_dashboard
bash scripts/services.sh start

log "main job, part 1: through the REST api and the running services (Kafka + Postgres): upload, split, pipeline followed live, predict"
node --import tsx tools/demo/api-walkthrough.ts

out="$TERN_DATA_DIR/demo-model"
log "main job, part 2: the same recipe in one process with the tern CLI: 4 Twemoji categories (40 images each), base mobilenet_v2, with fine-tuning"
node --import tsx apps/cli/src/main.ts train --dataset emoji --per-class 40 --base mobilenet_v2 \
  --fine-tune --ft-epochs 5 --ft-lr 0.0001 --out "$out" --cache "$TERN_DATA_DIR/embedding-cache"

emoji_dir="$(node -p "require('path').dirname(require.resolve('emoji-datasource-twitter/package.json'))")/img/twitter/64"
log "predicting three images with the new model"
node --import tsx apps/cli/src/main.ts predict "$out" "$emoji_dir/1f436.png" "$emoji_dir/1f355.png" "$emoji_dir/1f697.png"
log "done: model in $out (open $out/report.html)."
log "dashboard: http://127.0.0.1:${TERN_DASHBOARD_PORT:-3000} (sign in with the token in $TERN_DATA_DIR/api-admin-token); api docs: http://127.0.0.1:${TERN_API_PORT:-8080}/docs"
log "services, Postgres and Kafka keep running; stop them with: bash scripts/services.sh stop; bash scripts/infra/down.sh"
