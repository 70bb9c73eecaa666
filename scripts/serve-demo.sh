#!/usr/bin/env bash
# Quick start: install everything, load the demo data and serve Moderation Hub on http://localhost:5000.
#
#   ./scripts/serve-demo.sh            (PORT=8000 ./scripts/serve-demo.sh for another port)
#
# Needs Python 3.11+ and Node.js 20.19+ with npm. Safe to run again: finished steps are skipped or repeated
# harmlessly, and the demo data lives in instance/ (delete instance/moderation_hub.sqlite3 to start afresh).
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

PORT="${PORT:-5000}"
export ENVIRONMENT=development
# The development server speaks plain http, so cookies cannot require https here; browsers accept
# Secure cookies from http://localhost, but other tools (curl, some browsers) do not.
export SESSION_COOKIE_SECURE=false REMEMBER_COOKIE_SECURE=false
# The site answers only for this host, and links in emails (written to the log here) point to it.
export SERVER_NAME="localhost:$PORT" PREFERRED_URL_SCHEME=http

ensure_venv ""
build_assets

FLASK=("$VENV/bin/flask" --app moderation_hub)
# Only warnings from these two steps; the server logs as configured.
say "Bringing the database up to date"
LOG_LEVEL=WARNING "${FLASK[@]}" db upgrade
say "Loading the demo data"
logins="$(LOG_LEVEL=WARNING "${FLASK[@]}" demo)"  # printed last, below, where nothing scrolls them away

# The worker processes uploaded work off the request path. Both servers run in the background so that this
# script stays free to stop them: whichever way it ends (Ctrl-C, a signal, one of them failing), it stops both
# and waits for them, leaving no process behind. Stopped with SIGTERM, the worker puts a job it was running
# back on the queue for next time.
stop_servers() {
    trap - EXIT INT TERM
    kill -TERM "${WORKER_PID:-}" "${SERVER_PID:-}" 2>/dev/null || true
    wait || true
}
trap stop_servers EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The worker logs only its warnings and failures here: a line for each job it runs (the demo's own, at first)
# would scroll the logins away.
LOG_LEVEL=WARNING "${FLASK[@]}" worker &
WORKER_PID=$!
say "The worker is running (process $WORKER_PID): it processes uploaded work in the background"

say "Moderation Hub is starting on http://localhost:$PORT"
"${FLASK[@]}" run --host 127.0.0.1 --port "$PORT" &
SERVER_PID=$!
# The logins come last, once the server answers (after its own start-up lines).
until "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' \
    "http://localhost:$PORT/healthz" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || break  # it could not start: wait -n below ends the script
    sleep 0.2
done
if kill -0 "$SERVER_PID" 2>/dev/null; then
    say "Moderation Hub is running on http://localhost:$PORT (Ctrl-C stops it)"
    printf '%s\n' "$logins"
fi
wait -n  # until either stops; stop_servers then stops the other
