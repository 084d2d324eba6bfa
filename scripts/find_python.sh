#!/usr/bin/env bash
# Print the path of a working Python 3.10 (Rasa 3.6 refuses 3.11).
# A pyenv shim named python3.10 may exist without working, so each
# candidate is run before it is chosen.
set -u
for candidate in "${PYTHON310:-}" python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10 \
    "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /root/.pyenv/versions/3.10*/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) \
      && [ "$version" = "3.10" ]; then
    command -v "$candidate" 2>/dev/null || echo "$candidate"
    exit 0
  fi
done
echo "No working python3.10 found; install Python 3.10 or set PYTHON310=/path/to/python3.10" >&2
exit 1
