#!/usr/bin/env bash
# The main job on the shipped defaults, offline. Usage: scripts/demo.sh [path/to/embedrag]
# (Until the retrieval engine lands, the demo shows what exists: models, tokenizers, words, embeddings.)
set -euo pipefail
EMBEDRAG=${1:-embedrag}
step() { printf '\n\033[1m$ embedrag %s\033[0m\n' "$*"; "$EMBEDRAG" "$@"; }

step models
step tokenize "Tokenizers split naïve text into pieces 🤖" --tokenizer bert-base-uncased
step tokenize "Tokenizers split naïve text into pieces 🤖" --tokenizer cl100k_base
step words analogy "king - man + woman" --top-k 5
step words similar frog --top-k 5
step embed "A man is eating food." "A man is eating a piece of bread." \
    "The new movie is awesome." "Stock markets fell sharply today."
