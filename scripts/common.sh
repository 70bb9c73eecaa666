# shellcheck shell=bash
# Shared steps of serve-demo.sh and run-tests.sh; sourced, not run. Each step is safe to repeat and
# skips work already done, so a second run of either script takes seconds.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
# Playwright must never download a browser: tests drive Debian's Chromium at /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf '\n==> %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

_python_is_recent_enough() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null
}

_find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null && _python_is_recent_enough "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

_sha256_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# ensure_venv EXTRA: create .venv if needed and install the project, with EXTRA ("" or "test") extras.
# A stamp per extra remembers the setup.cfg it installed; an install with the test extras also counts
# for a plain one, so running serve-demo.sh after run-tests.sh installs nothing.
ensure_venv() {
    local extra="$1" spec="." digest
    if [[ ! -x "$VENV/bin/python" ]]; then
        local python
        python="$(_find_python)" || die "Python 3.11 or newer is needed (tried python3.11 and python3).
       On Debian or Ubuntu: sudo apt-get install python3 python3-venv"
        say "Creating .venv with $python"
        "$python" -m venv "$VENV" || die "could not create .venv (on Debian or Ubuntu: sudo apt-get install python3-venv)"
    fi
    _python_is_recent_enough "$VENV/bin/python" \
        || die ".venv has $("$VENV/bin/python" --version 2>&1); Python 3.11 or newer is needed: remove .venv and run again"
    if [[ -n "$extra" ]]; then
        spec=".[$extra]"
    fi
    digest="$(_sha256_of "$REPO_ROOT/setup.cfg" "$REPO_ROOT/pyproject.toml")"
    if _stamp_matches "${extra:-base}" "$digest" || { [[ -z "$extra" ]] && _stamp_matches test "$digest"; }; then
        return 0
    fi
    say "Installing Moderation Hub into .venv (pip install -e '$spec')"
    (cd "$REPO_ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec") \
        || die "pip install failed"
    printf '%s' "$digest" >"$VENV/.moderation-hub-installed-${extra:-base}"
}

_stamp_matches() { [[ -f "$VENV/.moderation-hub-installed-$1" && "$(cat "$VENV/.moderation-hub-installed-$1")" == "$2" ]]; }

# build_assets: npm ci (when package-lock.json changed) and compile moderation_hub/static/dist/.
build_assets() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        die "Node.js 20.19 or newer and npm are needed to build the stylesheet.
       On Debian or Ubuntu: sudo apt-get install nodejs npm (or see https://nodejs.org/)"
    fi
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
        || die "Node.js $(node --version) is too old: GOV.UK Frontend's Sass compiler needs 20.19 or newer"
    local stamp="$REPO_ROOT/node_modules/.moderation-hub-lock" wanted
    wanted="$(_sha256_of "$REPO_ROOT/package-lock.json")"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$wanted" ]]; then
        say "Installing front-end packages (npm ci)"
        (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
        printf '%s' "$wanted" >"$stamp"
    fi
    say "Building the stylesheet and scripts"
    (cd "$REPO_ROOT" && node scripts/build-assets.mjs) || die "the asset build failed"
}
