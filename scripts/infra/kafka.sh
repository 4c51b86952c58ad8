#!/usr/bin/env bash
# Apache Kafka (KRaft combined broker+controller) on loopback, jars from Maven Central.
# Usage: kafka.sh start|stop|status. Idempotent: start finds a running broker and leaves it.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

KAFKA_HOME="$TERN_DATA_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs-$TERN_KAFKA_VERSION"
KAFKA_LOG="$TERN_DATA_DIR/logs/kafka.log"
PID_FILE="$KAFKA_HOME/kafka.pid"
CONFIG="$KAFKA_HOME/server.properties"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running_pid() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null && cat "$PID_FILE"; }
is_ready() { running_pid >/dev/null && port_open "$TERN_KAFKA_PORT" && grep -q "Kafka Server started" "$KAFKA_LOG"; }

ensure_installed() {
  command -v java >/dev/null || apt_install default-jre-headless
  if [[ ! -f "$KAFKA_LIBS/.complete" ]]; then
    command -v mvn >/dev/null || apt_install maven
    log "resolving Kafka $TERN_KAFKA_VERSION jars with Maven (first run only)"
    mkdir -p "$KAFKA_LIBS"
    mvn -q -B -f "$TERN_ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
      -Dkafka.version="$TERN_KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" >&2 \
      || die "could not resolve Kafka jars with Maven"
    touch "$KAFKA_LIBS/.complete"
  fi
}

write_config() {
  mkdir -p "$KAFKA_HOME/data"
  cat > "$CONFIG" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$TERN_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$TERN_KAFKA_PORT,CONTROLLER://127.0.0.1:$TERN_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$TERN_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_HOME/data
num.partitions=3
# Topics are provisioned from libs/contracts; a typo'd topic must fail, not appear.
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat > "$KAFKA_HOME/log4j.properties" <<'PROPS'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.controller=WARN
PROPS
}

start() {
  if is_ready; then log "kafka already running on 127.0.0.1:$TERN_KAFKA_PORT"; return 0; fi
  running_pid >/dev/null && stop
  if port_open "$TERN_KAFKA_PORT" || port_open "$TERN_KAFKA_CONTROLLER_PORT"; then
    die "another process listens on 127.0.0.1:$TERN_KAFKA_PORT or :$TERN_KAFKA_CONTROLLER_PORT (not this checkout's broker): stop it or set TERN_KAFKA_PORT / TERN_KAFKA_CONTROLLER_PORT"
  fi
  ensure_installed
  write_config
  local cp="$KAFKA_LIBS/*"
  local java_opts=(-Xms256m -Xmx${TERN_KAFKA_HEAP:-768m} -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$KAFKA_HOME/log4j.properties")
  if [[ ! -f "$KAFKA_HOME/data/meta.properties" ]]; then
    local cluster_id; cluster_id="$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    log "formatting kafka storage (cluster $cluster_id)"
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" --ignore-formatted >/dev/null
  fi
  mkdir -p "$(dirname "$KAFKA_LOG")"; : > "$KAFKA_LOG"
  setsid nohup java "${java_opts[@]}" -cp "$cp" kafka.Kafka "$CONFIG" >>"$KAFKA_LOG" 2>&1 < /dev/null &
  echo $! > "$PID_FILE"
  wait_until 120 "kafka on 127.0.0.1:$TERN_KAFKA_PORT" is_ready \
    || { tail -30 "$KAFKA_LOG" >&2; die "kafka did not become ready (log: $KAFKA_LOG)"; }
}

stop() {
  local pid; pid="$(running_pid || true)"
  if [[ -z "$pid" ]]; then log "kafka not running"; rm -f "$PID_FILE"; return 0; fi
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$PID_FILE"; log "kafka stopped"
}

status() { if is_ready; then echo "kafka: running on 127.0.0.1:$TERN_KAFKA_PORT (pid $(running_pid))"; else echo "kafka: stopped"; return 1; fi; }

case "${1:-}" in
  start) start ;; stop) stop ;; status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
