"""Write README.md from nbs/index.ipynb (Quarto, which nbdev_readme needs, cannot be installed here).

Markdown cells are copied as they are; code cells not marked `#| hide` become ```python blocks.
`--check` exits 1 when README.md differs from what the notebook gives.
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK, README = ROOT/'nbs'/'index.ipynb', ROOT/'README.md'
HEADER = '<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n\n'

def cell_text(cell):
    "Markdown for one notebook cell, or None when it is hidden."
    src = ''.join(cell['source']).strip()
    if cell['cell_type'] == 'markdown': return src
    if cell['cell_type'] != 'code' or not src: return None
    lines = src.splitlines()
    if any(l.strip() in ('#| hide', '#|hide') for l in lines): return None
    code = '\n'.join(l for l in lines if not l.lstrip().startswith('#|'))
    return f'```python\n{code}\n```'

def render(nb_path=NOTEBOOK):
    "The README text for the notebook at `nb_path`."
    cells = json.loads(Path(nb_path).read_text(encoding='utf-8'))['cells']
    parts = [t for t in map(cell_text, cells) if t]
    return HEADER + '\n\n'.join(parts) + '\n'

def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if '--check' in argv:
        if not README.exists() or README.read_text(encoding='utf-8') != text:
            print('README.md is stale: run `python tools/make_readme.py` and commit it.', file=sys.stderr)
            return 1
        return 0
    README.write_text(text, encoding='utf-8')
    return 0

if __name__ == '__main__': sys.exit(main())
