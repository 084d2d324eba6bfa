# Sourced by scripts/run.sh and scripts/run_cluster.sh.
# wait_for URL NAME PID [SECONDS]: until URL answers 2xx; fail at once if PID exits,
# or after SECONDS (default 120).
wait_for() {
  local limit=${4:-120}
  for _ in $(seq 1 $((limit * 2))); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    kill -0 "$3" 2>/dev/null || { echo "$2 exited during start-up" >&2; exit 1; }
    sleep 0.5
  done
  echo "$2 did not start within $limit s" >&2; exit 1
}
