#!/usr/bin/env bash
# Start Ally: the action server, then the Rasa server; Ctrl-C stops both.
# Settings (environment): ALLY_HOST (127.0.0.1), ALLY_PORT (5005),
# ALLY_ACTION_PORT (5055), ALLY_LOG_LEVEL (info | debug),
# ALLY_ALLOWED_ORIGINS (comma-separated; default: the local demo origin),
# ALLY_API_TOKEN (turns on Rasa's HTTP API, protected by this token; off when unset).
set -euo pipefail
cd "$(dirname "$0")/.."

export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
host=${ALLY_HOST:-127.0.0.1}
port=${ALLY_PORT:-5005}
action_port=${ALLY_ACTION_PORT:-5055}
level_flag=()
[ "${ALLY_LOG_LEVEL:-info}" = debug ] && level_flag=(--debug)
export ALLY_ALLOWED_ORIGINS=${ALLY_ALLOWED_ORIGINS:-http://$host:$port,http://localhost:$port}
read -r -a origins <<< "${ALLY_ALLOWED_ORIGINS//,/ }"  # comma-separated, as the widget channel reads it
cors=(--cors "${origins[@]}")
api=()
if [ -n "${ALLY_API_TOKEN:-}" ]; then
  [ ${#ALLY_API_TOKEN} -ge 24 ] || { echo "ALLY_API_TOKEN must be at least 24 characters" >&2; exit 2; }
  api=(--enable-api --auth-token "$ALLY_API_TOKEN")
fi

pids=()
stop() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -f "${endpoints:-}"; }
trap stop INT TERM EXIT

source scripts/wait_for.sh  # (the script has cd-ed to the project root)

.venv/bin/rasa run actions --port "$action_port" "${level_flag[@]}" &
pids+=($!)
wait_for "http://127.0.0.1:$action_port/health" "The action server" "${pids[-1]}"

# endpoints.yml names the default action port; follow ALLY_ACTION_PORT.
endpoints=$(mktemp "${TMPDIR:-/tmp}/ally-endpoints.XXXXXX.yml")
sed "s/127.0.0.1:5055/127.0.0.1:$action_port/" endpoints.yml > "$endpoints"
.venv/bin/rasa run --model models/ally.tar.gz --endpoints "$endpoints" --credentials credentials.yml \
  --interface "$host" --port "$port" "${cors[@]}" "${api[@]}" "${level_flag[@]}" &
pids+=($!)
wait_for "http://$host:$port/" "The Rasa server" "${pids[-1]}"

cat <<MSG

  Ally is running.
    Chat in a browser: http://$host:$port/widget/?country=GB
    REST channel:   POST http://$host:$port/webhooks/rest/webhook
                    curl -s http://$host:$port/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                      -d '{"sender": "demo", "message": "someone on snap keeps asking me for pics", "metadata": {"country": "GB"}}'
    Action server:  http://127.0.0.1:$action_port (health: /health)
  Press Ctrl-C to stop both servers.

MSG
wait "${pids[-1]}"  # the Rasa server; if the action server dies, Rasa keeps answering with its offline help
