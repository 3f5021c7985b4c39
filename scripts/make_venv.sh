#!/usr/bin/env bash
# Create the project's virtual environment with Python 3.11+; on Debian, install python3-venv if it is missing.
set -euo pipefail
python="${1:-python3}"; venv="${2:-.venv}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "CER Studio needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1 || echo missing)." >&2
  echo "Run again with: make PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if "$python" -m venv "$venv" 2>/dev/null; then exit 0; fi
rm -rf "$venv"
if command -v apt-get >/dev/null 2>&1; then
  pyver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  echo "python -m venv failed: installing Debian's python${pyver}-venv" >&2
  $sudo apt-get install -y -q "python${pyver}-venv" || { $sudo apt-get update -q && $sudo apt-get install -y -q "python${pyver}-venv"; }
  "$python" -m venv "$venv" && exit 0
fi
echo "Could not create $venv with '$python -m venv'. Install your distribution's venv package (python3-venv)." >&2
exit 1
