#!/usr/bin/env bash
# Start Ally in scale-out mode on this machine (make run-cluster):
#   redis-server (deploy/redis/redis.conf: persistence off, loopback only),
#   one action server, two `rasa run` replicas sharing state in Redis
#   (Ally's privacy tracker store with a TTL + Rasa's Redis lock store,
#   deploy/endpoints-cluster.yml), and nginx in front (deploy/nginx/).
# Ctrl-C stops everything. Only nginx listens on ALLY_HOST; the rest on 127.0.0.1.
#
# Settings (environment):
#   ALLY_HOST (127.0.0.1) and ALLY_PORT (5005): where nginx listens
#   ALLY_REPLICA_PORTS ("5006 5007"): one `rasa run` replica per port
#   ALLY_ACTION_PORT (5055), ALLY_REDIS_PORT (6380), ALLY_REDIS_PASSWORD (none)
#   ALLY_RUN_DIR (a new temp dir): nginx's config, pid and temp dirs, `pids`
#   ALLY_LOG_LEVEL (info | debug), ALLY_ALLOWED_ORIGINS (comma separated),
#   ALLY_IDLE_MINUTES, ALLY_RATE_LIMIT_BURST, ALLY_RATE_LIMIT_PER_MINUTE,
#   SANIC_REQUEST_MAX_SIZE (1048576)
set -euo pipefail
cd "$(dirname "$0")/.."

export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore SQLALCHEMY_SILENCE_UBER_WARNING=1
export SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1048576}
host=${ALLY_HOST:-127.0.0.1}
port=${ALLY_PORT:-5005}
read -r -a replica_ports <<< "${ALLY_REPLICA_PORTS:-5006 5007}"
action_port=${ALLY_ACTION_PORT:-5055}
redis_port=${ALLY_REDIS_PORT:-6380}
level_flag=()
[ "${ALLY_LOG_LEVEL:-info}" = debug ] && level_flag=(--debug)
export ALLY_ALLOWED_ORIGINS=${ALLY_ALLOWED_ORIGINS:-http://$host:$port,http://localhost:$port}
read -r -a origins <<< "${ALLY_ALLOWED_ORIGINS//,/ }"
export ALLY_REDIS_HOST=127.0.0.1 ALLY_REDIS_PORT=$redis_port

for tool in redis-server redis-cli nginx curl; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
    echo "$tool is not installed (Debian: apt-get install redis-server nginx curl)" >&2; exit 2; }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -f models/ally.tar.gz ] || { echo "models/ally.tar.gz is missing: run make train" >&2; exit 2; }

created_run_dir=
if [ -n "${ALLY_RUN_DIR:-}" ]; then
  run_dir=$ALLY_RUN_DIR; mkdir -p "$run_dir"
else
  run_dir=$(mktemp -d -t ally-cluster.XXXXXX); created_run_dir=$run_dir
fi
run_dir=$(cd "$run_dir" && pwd)
: > "$run_dir/pids"

pids=()
stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "$created_run_dir" ] && rm -rf "$created_run_dir"
  return 0
}
trap stop INT TERM EXIT

started() {  # name pid: remember a process (the tests read $run_dir/pids)
  pids+=("$2"); echo "$1 $2" >> "$run_dir/pids"
}

source scripts/wait_for.sh  # (the script has cd-ed to the project root)

# 1. Redis: persistence off (deploy/redis/redis.conf), its own port, its dir the run dir.
redis_args=(deploy/redis/redis.conf --port "$redis_port" --dir "$run_dir" --daemonize no)
[ -n "${ALLY_REDIS_PASSWORD:-}" ] && redis_args+=(--requirepass "$ALLY_REDIS_PASSWORD")
redis-server "${redis_args[@]}" &
started redis $!
for _ in $(seq 1 100); do
  REDISCLI_AUTH=${ALLY_REDIS_PASSWORD:-} redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "redis-server exited during start-up (port $redis_port in use?)" >&2; exit 1; }
  sleep 0.1
done

# 2. The action server (stateless: one is enough here; several behind a Service in Kubernetes).
.venv/bin/rasa run actions --port "$action_port" "${level_flag[@]}" &
started actions $!
wait_for "http://127.0.0.1:$action_port/health" "The action server" "${pids[-1]}" 240

# 3. The Rasa replicas, on loopback only: nginx is the way in.
sed "s#127.0.0.1:5055#127.0.0.1:$action_port#" deploy/endpoints-cluster.yml > "$run_dir/endpoints.yml"
names=(a b c d e f g h)
replica_pids=()
for i in "${!replica_ports[@]}"; do
  .venv/bin/rasa run --model models/ally.tar.gz --endpoints "$run_dir/endpoints.yml" --credentials credentials.yml \
    --interface 127.0.0.1 --port "${replica_ports[$i]}" --cors "${origins[@]}" "${level_flag[@]}" &
  started "replica-${names[$i]}" $!
  replica_pids+=($!)
done
for i in "${!replica_ports[@]}"; do
  wait_for "http://127.0.0.1:${replica_ports[$i]}/" "Rasa replica ${names[$i]}" "${replica_pids[$i]}" 240
done

# 4. nginx, from the template, in the foreground; everything it writes stays in the run dir.
servers="" map=""
for i in "${!replica_ports[@]}"; do
  servers+="        server 127.0.0.1:${replica_ports[$i]} max_fails=1 fail_timeout=10s;"$'\n'
  map+="        \"~127\\.0\\.0\\.1:${replica_ports[$i]}\$\" ${names[$i]};"$'\n'
done
listen=$host:$port
[[ $host == *:* ]] && listen="[$host]:$port"
RUN_DIR=$run_dir LISTEN=$listen REPLICAS=$servers REPLICA_MAP=$map \
  .venv/bin/python - deploy/nginx/nginx.conf.template "$run_dir/nginx.conf" <<'PY'
import os, sys
text = open(sys.argv[1]).read()
for key in ("RUN_DIR", "LISTEN", "REPLICAS", "REPLICA_MAP"):
    text = text.replace(f"@{key}@\n" if key in ("REPLICAS", "REPLICA_MAP") else f"@{key}@", os.environ[key])
open(sys.argv[2], "w").write(text)
PY
"$nginx_bin" -t -q -e stderr -p "$run_dir/" -c "$run_dir/nginx.conf"
"$nginx_bin" -e stderr -p "$run_dir/" -c "$run_dir/nginx.conf" &
started nginx $!
wait_for "http://$listen/webhooks/rest/" "nginx" "${pids[-1]}" 240

cat <<MSG

  Ally is running in scale-out mode.
    Chat (through nginx):  http://$listen/
      REST:    POST http://$listen/webhooks/rest/webhook
               curl -s http://$listen/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                 -d '{"sender": "demo", "message": "someone on snap keeps asking me for pics", "metadata": {"country": "GB"}}'
      Widget:  http://$listen/widget/   (socket.io over WebSocket at /socket.io/)
    Rasa replicas:  ${replica_ports[*]/#/127.0.0.1:}  (Redis state, round robin for REST)
    Action server:  http://127.0.0.1:$action_port   Redis: 127.0.0.1:$redis_port (no persistence)
    Run directory:  $run_dir
  Press Ctrl-C to stop everything.

MSG
wait "${pids[-1]}"  # nginx; a replica that dies is skipped by nginx, the rest keep serving
