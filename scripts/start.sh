#!/usr/bin/env bash
# README command 1: sets everything up, starts the services, and runs the main job:
# training a classifier on real images (Twemoji categories) with the full transfer recipe
# (embeddings cached, head, fine-tuning, from-scratch comparison), then predicting with it.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$TERN_ROOT/scripts/lib/node-deps.sh"
cd "$TERN_ROOT"

ensure_node_deps
bash scripts/infra/up.sh

out="$TERN_DATA_DIR/demo-model"
log "main job: tern train on 4 Twemoji categories (40 images each), base mobilenet_v2, with fine-tuning"
node --import tsx apps/cli/src/main.ts train --dataset emoji --per-class 40 --base mobilenet_v2 \
  --fine-tune --ft-epochs 5 --ft-lr 0.0001 --out "$out" --cache "$TERN_DATA_DIR/embedding-cache"

emoji_dir="$(node -p "require('path').dirname(require.resolve('emoji-datasource-twitter/package.json'))")/img/twitter/64"
log "predicting three images with the new model"
node --import tsx apps/cli/src/main.ts predict "$out" "$emoji_dir/1f436.png" "$emoji_dir/1f355.png" "$emoji_dir/1f697.png"
log "done: model in $out (open $out/report.html). Postgres and Kafka keep running: bash scripts/infra/down.sh stops them."
