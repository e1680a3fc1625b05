#!/usr/bin/env bash
# Print the path of a Python 3.12 interpreter: $PYTHON, then pyenv, then PATH.
set -euo pipefail
want="3.12"
check() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c "import sys; sys.exit(0 if sys.version_info[:2]==(3,12) else 1)" 2>/dev/null; }
if [ -n "${PYTHON:-}" ] && check "$(command -v "$PYTHON" || true)"; then command -v "$PYTHON"; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E "^${want}(\.|$)" | sort -V -r); do
    candidate="$(pyenv root)/versions/$v/bin/python"
    if check "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
for root in "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
  [ -n "$root" ] || continue
  for candidate in $(ls -d "$root"/versions/${want}*/bin/python 2>/dev/null | sort -V -r); do
    if check "$candidate"; then echo "$candidate"; exit 0; fi
  done
done
for name in python3.12 python3 python; do
  candidate="$(command -v $name 2>/dev/null || true)"
  if check "$candidate"; then echo "$candidate"; exit 0; fi
done
echo "error: Python 3.12 was not found. Install it (for example 'pyenv install 3.12') or set PYTHON=/path/to/python3.12." >&2
exit 1
