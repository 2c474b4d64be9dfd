#!/bin/sh
# Debian's Chromium at the training threads' niceness (10, see workers/thread-priority.ts).
# A user's browser never runs on the arena's server; in the browser tests it shares two cores with it,
# and at normal priority its software rendering (SwiftShader) took most of them from the niced training
# threads, so runs the page waits for crawled (a full CI run timed out the playground and race journeys).
exec nice -n "${CHROMIUM_NICE:-10}" "${CHROMIUM_PATH:-/usr/bin/chromium}" "$@"
