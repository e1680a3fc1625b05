#!/usr/bin/env bash
# Extract and compile English translations for one app directory (or "." for the
# site-wide templates/ and config/). Each app keeps its own locale/ folder.
#   scripts/messages.sh marketplace/catalogue
#   scripts/messages.sh .
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${1:?usage: scripts/messages.sh APP_DIR}
export DJANGO_SETTINGS_MODULE=config.settings.dev PYTHONPATH="$root"
cd "$dir"
mkdir -p locale
if [ "$dir" = "." ]; then
  ignores=()
  for app in core accounts cms payments search marketplace orgs; do ignores+=(--ignore="$app/*"); done
  "$root/.venv/bin/django-admin" makemessages -l en --no-obsolete --ignore=".venv/*" --ignore="tests/*" --ignore="benchmarks/*" --ignore="mutants/*" "${ignores[@]}"
else
  # An app nested inside this one (marketplace/memorials/visits) keeps its own catalogue.
  nested=()
  while IFS= read -r apps; do nested+=(--ignore="$(dirname "${apps#./}")/*"); done \
    < <(find . -mindepth 2 -name apps.py -not -path "./locale/*")
  "$root/.venv/bin/django-admin" makemessages -l en --no-obsolete --ignore="tests/*" "${nested[@]}"
fi
"$root/.venv/bin/django-admin" compilemessages -l en
