#!/usr/bin/env bash
# The main job on the shipped defaults. Usage: scripts/demo.sh [path/to/embedrag]
set -euo pipefail
EMBEDRAG=${1:-embedrag}
step() { printf '\n\033[1m$ embedrag %s\033[0m\n' "$*"; "$EMBEDRAG" "$@"; }
step models
