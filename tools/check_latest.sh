#!/usr/bin/env bash
# The optional latest-versions check: install echo_nb into a fresh venv WITHOUT the lock, at the newest versions that
# settings.ini allows, then import every module and run the fast tests. If this fails while the README's locked
# commands pass, a new release broke something: fix it or bound the range (with the reason), then `tools/lock.sh`.
# Usage: bash tools/check_latest.sh     (about 5 minutes of installing, then the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
python3.11 -m venv "$work/venv"
. "$work/venv/bin/activate"
pip config list 2>/dev/null | grep -q constraint \
  && echo "note: this machine's pip config adds constraints ($(pip config list | grep constraint)): newest means newest allowed there"
pip install --no-cache-dir --quiet --upgrade --upgrade-strategy eager -e ".[dev]"
pip freeze --exclude-editable | sed -E 's/^(torch==[0-9.]+)\+[a-z0-9]+$/\1/' > "$work/latest.txt"
echo "== versions that differ from constraints.txt (lock -> latest)"
export LC_ALL=C
join -t= -j1 <(grep -v '^#' constraints.txt | sort -t= -k1,1) <(sort -t= -k1,1 "$work/latest.txt") \
  | awk -F= '$3 != $5 {print $1": "$3" -> "$5}'
echo "== import every module"
python -c "import importlib, pathlib; [importlib.import_module('echo_nb.' + p.stem) for p in pathlib.Path('echo_nb').glob('*.py')]"
python -c "import torch, transformers, datasets; print('torch', torch.__version__, '| transformers', transformers.__version__, '| datasets', datasets.__version__)"
echo "== fast tests with the latest versions"
python tools/test_notebooks.py
