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

ensure_venv ""
build_assets

FLASK=("$VENV/bin/flask" --app moderation_hub)
# Only warnings from these two steps, so that the demo logins stand out; the server logs as configured.
say "Bringing the database up to date"
LOG_LEVEL=WARNING "${FLASK[@]}" db upgrade
say "Loading the demo data"
LOG_LEVEL=WARNING "${FLASK[@]}" demo

say "Moderation Hub is starting on http://localhost:$PORT (sign in with one of the demo logins above; Ctrl-C stops it)"
exec "${FLASK[@]}" run --host 127.0.0.1 --port "$PORT"
