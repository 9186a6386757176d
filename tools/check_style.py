"""Fail on code lines over 120 characters and on compound statements written on one line.

Checks the code cells of `nbs/*.ipynb` and the generated `echo_nb/*.py` (except nbdev's `_modidx.py`).
A compound statement on one line is any statement that does not start its line: `if x: y`, `else: y`, `try: y`,
`def f(): y`, `a; b`. nbdev writes each module's `__all__` itself (wrapped at 120 after `__all__ = `): it is not
checked. Usage: `python tools/check_style.py [paths...]`.
"""
import ast, io, json, sys, tokenize
from pathlib import Path

MAX_LINE = 120

def semicolons(source:str) -> list[int]:
    "Lines with a `;` token that separates statements (not one inside a string or a comment)."
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError):
        return []
    return [t.start[0] for t in tokens if t.type == tokenize.OP and t.string == ";"]

def shared_lines(tree:ast.AST, lines:list[str]) -> list[int]:
    "Lines where a statement does not start the line: `if x: y`, `else: y`, `try: y`, `a; b`, `def f(): y`."
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not isinstance(node, ast.Module):
            line = lines[node.lineno - 1].encode()
            if line[:node.col_offset].strip():
                out.append(node.lineno)
    return out

def problems(source:str, name:str) -> list[str]:
    "Every style problem of one piece of code, as `name:line: what`."
    out = [f"{name}:{i}: line of {len(line)} characters (at most {MAX_LINE})"
           for i, line in enumerate(source.splitlines(), 1) if len(line) > MAX_LINE]
    out += [f"{name}:{i}: ';' joins statements on one line" for i in semicolons(source)]
    python = "\n".join("" if l.lstrip().startswith(("%", "!")) else l for l in source.splitlines())
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return out
    shared = sorted(set(shared_lines(tree, python.splitlines())))
    out += [f"{name}:{i}: compound statement on one line" for i in shared]
    return out

def module_problems(path:Path) -> list[str]:
    "A generated module's problems, less nbdev's `__all__` block (nbdev wraps it at 120 after `__all__ = `)."
    lines = path.read_text().splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith("__all__ = ")), None)
    end = (
        next((i for i in range(start, len(lines)) if lines[i].rstrip().endswith("]")), start)
        if start is not None
        else None
    )
    kept = [("" if start is not None and start <= i <= end else l) for i, l in enumerate(lines)]
    return problems("\n".join(kept), str(path))


def notebook_problems(path: Path) -> list[str]:
    cells = json.loads(path.read_text())["cells"]
    return [
        p
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
        for p in problems("".join(c["source"]), f"{path} cell {i} ({c.get('id', '?')})")
    ]


def main(paths: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    files = [Path(p) for p in paths] or (
        sorted((root / "nbs").glob("*.ipynb"))
        + [p for p in sorted((root / "echo_nb").glob("*.py")) if p.name != "_modidx.py"]
    )
    found = [p for f in files for p in (notebook_problems(f) if f.suffix == ".ipynb" else module_problems(f))]
    print("\n".join(found) if found else "style: no line over 120 characters, no compound statement on one line")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
