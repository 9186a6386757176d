#!/usr/bin/env bash
# Regenerate constraints.txt, the tested lock of the whole environment: install echo_nb with its dev extras into a
# fresh venv (no pip cache) at the newest versions that settings.ini allows, with torch pinned to $TORCH, and freeze.
# Usage: bash tools/lock.sh            (then run the README's test command with the new lock before committing it)
#        TORCH=2.14.1 bash tools/lock.sh
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH=${TORCH:-2.13.0}
venv=$(mktemp -d)/venv
python3.11 -m venv "$venv"
"$venv/bin/pip" install --no-cache-dir --quiet "torch==$TORCH" -e ".[dev]"
{
  echo "# The tested lock: pip install -e \".[dev]\" -c constraints.txt"
  echo "# Made by tools/lock.sh on $(date -u +%Y-%m-%d) with $("$venv/bin/python" --version) on $(uname -m);"
  echo "# torch is written without its local label (+cpu) so that any build of that version satisfies it."
  "$venv/bin/pip" freeze --exclude-editable | sed -E 's/^(torch==[0-9.]+)\+[a-z0-9]+$/\1/'
} > constraints.txt
rm -rf "$(dirname "$venv")"
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages, torch $TORCH)"
