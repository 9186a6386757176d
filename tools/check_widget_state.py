"""Fail if a notebook carries saved widget state: notebook-level `widgets` metadata, or widget views in outputs.

Saving a notebook with live widgets (plotly `FigureWidget` and ipywidgets) writes their whole state into the notebook's
metadata under `widgets` (megabytes per figure), and `nbdev_clean` keeps it. Run from the repository root:
`python tools/check_widget_state.py` checks every notebook in nbs/ and exits 1 naming each offender;
`--fix` removes the state in place (metadata and widget outputs), leaving everything else as it was.
"""
import argparse, json, sys
from pathlib import Path

WIDGET_MIME = ("application/vnd.jupyter.widget-state+json", "application/vnd.jupyter.widget-view+json")

def widget_state(nb:dict) -> list:
    "Where `nb` holds widget state, as readable locations (empty if none)."
    found = [f"notebook metadata '{k}'" for k in nb.get("metadata", {}) if k == "widgets"]
    for i, cell in enumerate(nb.get("cells", [])):
        if "widgets" in cell.get("metadata", {}): found.append(f"cell {i} metadata 'widgets'")
        for out in cell.get("outputs", []):
            if any(m in out.get("data", {}) for m in WIDGET_MIME): found.append(f"cell {i} output with a widget view")
    return found

def strip_widget_state(nb:dict) -> dict:
    "`nb` without widget metadata and without outputs that show widgets."
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        cell.get("metadata", {}).pop("widgets", None)
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if not any(m in o.get("data", {}) for m in WIDGET_MIME)]
    return nb

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="*", default=["nbs"], help="notebooks or folders of notebooks (default: nbs)")
    p.add_argument("--fix", action="store_true", help="remove the widget state in place instead of failing")
    args = p.parse_args(argv)
    files = sorted(f for path in map(Path, args.paths) for f in ([path] if path.is_file() else path.rglob("*.ipynb"))
                   if ".ipynb_checkpoints" not in f.parts)
    if not files:
        print(f"no notebooks found in {args.paths}: run from the repository root", file=sys.stderr)
        return 2
    bad = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        nb = json.loads(text)
        found = widget_state(nb)
        if not found: continue
        if args.fix:
            f.write_text(json.dumps(strip_widget_state(nb), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"fixed {f}: removed {', '.join(found)}")
        else:
            bad += 1
            print(f"{f}: saved widget state ({', '.join(found)}, {len(text) / 1e6:.1f} MB file)", file=sys.stderr)
    if bad:
        print(f"{bad} notebook(s) carry widget state, which nbdev_clean keeps: run `python tools/check_widget_state.py "
              "--fix`, then commit", file=sys.stderr)
        return 1
    print(f"widget state: none in {len(files)} notebooks")
    return 0

if __name__ == "__main__": sys.exit(main())
