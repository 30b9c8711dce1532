#!/usr/bin/env bash
# serve's figures for the README ("Live"): `zoom-qos serve` pinned to one core (CPU 0,
# one HTTP thread and the journal's writer), the test's load generator pinned to the
# other (8 connections over loopback), durable acknowledgement (each answer after the
# journal's fdatasync). Prints the burst test's line: events a second, the
# acknowledgement latency, and serve's memory per live participant-minute.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/zoom-qos")
wrapper=$(mktemp)
printf '#!/bin/sh\nexec taskset -c 0 %s "$@"\n' "$bin" > "$wrapper"
chmod +x "$wrapper"
ZOOM_QOS_BIN=$wrapper taskset -c 1 cargo test -q -p zoom-qos-cli --test serve burst -- --ignored --nocapture 2>&1 \
    | grep '^burst:'
rm -f "$wrapper"
