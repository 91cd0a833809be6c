#!/usr/bin/env bash
# Build the browser side once, for the public address the browsers will use.
#
#   CARECONNECT_BASE_URL=https://sign.your-agency.org deploy/build-frontend.sh
#
# The built files land in .web/build/client (or $REFLEX_WEB_WORKDIR/build/client): serve them with
# Caddy (deploy/Caddyfile) and copy the folder to every app instance's checkout (the instances
# serve the signing link's first paint from it). Rebuild after every upgrade, and whenever the
# public address changes: the browser's websocket goes to that address.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${CARECONNECT_BASE_URL:?set CARECONNECT_BASE_URL to the public address, e.g. https://sign.your-agency.org}"
[ -x .venv/bin/reflex ] && . .venv/bin/activate
export REFLEX_API_URL="$CARECONNECT_BASE_URL" REFLEX_DEPLOY_URL="$CARECONNECT_BASE_URL" REFLEX_USE_NPM=true \
       REFLEX_TELEMETRY_ENABLED=false
# Compiling imports the app in production mode, which wants a key; nothing is signed while building.
export CARECONNECT_SECRET_KEY="${CARECONNECT_SECRET_KEY:-only-used-to-build-the-frontend}"
reflex export --frontend-only --no-zip
build="${REFLEX_WEB_WORKDIR:-.web}/build"
# Caddy serves these pages itself: it sends the app's security headers, made for this build.
python -m careconnect_app security-headers --caddy "$build/security-headers.caddy"
echo "Built the frontend for $CARECONNECT_BASE_URL in $build/client"
