#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run them.
# Used by README ("run the tests") and by CI (.ci/run). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; AS_POSTGRES="runuser -u postgres --"
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; AS_POSTGRES="sudo -u postgres"; fi
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# The proxy in front of several app instances (tests/e2e/test_failover.py, deploy/Caddyfile).
command -v caddy >/dev/null 2>&1 || need_apt+=(caddy)
if [ ${#need_apt[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# PostgreSQL on loopback: the database tests run on it as well as on SQLite.
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  $SUDO service postgresql start >/dev/null
  for _ in $(seq 1 30); do $AS_POSTGRES psql -qtAc "select 1" >/dev/null 2>&1 && break; sleep 1; done
  $AS_POSTGRES psql -qtAc "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='careconnect_test')
    THEN CREATE ROLE careconnect_test LOGIN PASSWORD 'careconnect_test' CREATEDB; END IF; END \$\$;" >/dev/null
  export TEST_POSTGRES_URL="postgresql+psycopg://careconnect_test:careconnect_test@127.0.0.1:5432/postgres"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check -r requirements-test.txt

export REFLEX_USE_NPM=true

# pytest's "no tests collected" (5) is a failure, never a pass.
failed_or_empty() { [ "$1" -ne 0 ]; }

# With test paths or -k/-m on the command line: one pytest run, as asked.
for arg in "$@"; do
  case "$arg" in
    -k|-m|tests*|*.py|*::*)
      set +e; python -m pytest "$@"; status=$?; set -e
      [ "$status" -eq 5 ] && { echo "pytest collected no tests: treating as a failure" >&2; exit 1; }
      exit "$status" ;;
  esac
done

# Everything (README, CI): the unit tests and the browser suites at once, each with its own
# databases, so the browser suites' waits overlap the unit tests' CPU work. The browser suites share
# one app server: two production builds in one checkout would replace each other's files.
logs=$(mktemp -d)
declare -A suites=(
  [unit]="tests/unit"
  [browser]="tests/e2e tests/security"
)
declare -A pids=()
started=$(date +%s)
for name in "${!suites[@]}"; do
  # shellcheck disable=SC2086  # the suite's paths are separate words
  python -m pytest "$@" ${suites[$name]} >"$logs/$name.log" 2>&1 &
  pids[$name]=$!
done
status=0
for name in unit browser; do
  set +e; wait "${pids[$name]}"; code=$?; set -e
  echo "===== $name suite (exit $code) ====="
  cat "$logs/$name.log"
  if [ "$code" -eq 5 ]; then echo "pytest collected no tests in the $name suite: treating as a failure" >&2; fi
  if failed_or_empty "$code"; then status=1; fi
done
echo "all suites: $(( $(date +%s) - started )) s, exit $status"
exit "$status"
