"""Fail on code lines over 120 characters and on compound statements written on one line.

Checks the code cells of `nbs/*.ipynb` and the generated `echo_nb/*.py` (except nbdev's `_modidx.py`).
A compound statement on one line is a `;` between statements, or an `if`/`for`/`while`/`with`/`try`/`def`/`class`
whose body starts on the header's line (`if x: y`). Usage: `python tools/check_style.py [paths...]`.
"""
import ast, io, json, sys, tokenize
from pathlib import Path

MAX_LINE = 120
HEADERS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.FunctionDef,
           ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler)

def semicolons(source:str) -> list[int]:
    "Lines with a `;` token that separates statements (not one inside a string or a comment)."
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError):
        return []
    return [t.start[0] for t in tokens if t.type == tokenize.OP and t.string == ";"]

def one_line_bodies(tree:ast.AST) -> list[int]:
    "Lines where a compound statement's body (or else/finally) starts on its header's line."
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, HEADERS):
            continue
        for body in (node.body, getattr(node, "orelse", []), getattr(node, "finalbody", [])):
            first = body[0] if body else None
            if first is not None and first.lineno == node.lineno and not isinstance(node, ast.If | ast.Try):
                lines.append(node.lineno)
        if isinstance(node, ast.If | ast.Try) and node.body and node.body[0].lineno == node.lineno:
            lines.append(node.lineno)
    return lines

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
    out += [f"{name}:{i}: compound statement on one line" for i in sorted(set(one_line_bodies(tree)))]
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
