#!/usr/bin/env bash
# Quick start: install everything and run the checks: ruff, then pytest on SQLite, then (when
# TEST_DATABASE_URL is set) pytest again on PostgreSQL. Extra arguments go to both pytest runs:
#
#   ./scripts/run-tests.sh -x -q
#   TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test ./scripts/run-tests.sh
#
# The browser tests (tests/browser/) drive Debian's Chromium at /usr/bin/chromium. This script installs it
# with apt-get when it is missing and it can (as root); without it they are skipped with a loud reason,
# except when CI=true, where a missing browser fails the run. They run in the SQLite pass only: the live
# server they start keeps its own committed data in a temporary SQLite file, whatever --database says,
# so a second run would repeat the same thing.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$REPO_ROOT"

CHROMIUM=/usr/bin/chromium

ensure_chromium() {
    if [[ -x "$CHROMIUM" ]]; then
        return 0
    fi
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        say "Installing Chromium from Debian (apt-get install chromium) for the browser tests"
        if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
            return 0
        fi
        printf 'WARNING: apt-get could not install chromium.\n' >&2
    fi
    printf '\nWARNING: no browser at %s: the browser tests will be skipped%s.\n' "$CHROMIUM" \
        "$([[ "${CI:-}" == true ]] && echo ' and, as CI=true, fail the run')" >&2
    printf '         Install it with: sudo apt-get install chromium\n' >&2
}

ensure_venv test
build_assets
ensure_chromium

failed=()

run_step() {
    local name="$1" started=$SECONDS status=0
    shift
    say "$name"
    "$@" || status=$?
    printf -- '--- %s: %s in %ss\n' "$name" "$([[ $status == 0 ]] && echo passed || echo "FAILED (exit $status)")" \
        "$((SECONDS - started))"
    if [[ $status != 0 ]]; then
        failed+=("$name")
    fi
}

# Exit 5 is pytest's "no tests collected": fine here when the arguments chose only browser tests.
pytest_on_postgresql() {
    local status=0
    "$VENV/bin/python" -m pytest --database=postgresql -m "not browser" "$@" || status=$?
    if [[ $status == 5 ]]; then
        echo "(no test left for PostgreSQL once the browser tests are set aside)"
        return 0
    fi
    return "$status"
}

run_step "ruff check" "$VENV/bin/ruff" check .
run_step "pytest on SQLite" "$VENV/bin/python" -m pytest "$@"
if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    run_step "pytest on PostgreSQL" pytest_on_postgresql "$@"
else
    say "TEST_DATABASE_URL is not set: skipping the PostgreSQL pass"
fi

if ((${#failed[@]})); then
    printf '\nFAILED:' >&2
    printf ' [%s]' "${failed[@]}" >&2
    printf '\n' >&2
    exit 1
fi
printf '\nAll checks passed.\n'
