"""Execute every notebook offline and write a browsable HTML site with its figures and maths (no Jupyter needed).

Each notebook runs as the tests run it (`tools/test_notebooks.py`: offline, a temporary HF_HOME, a fresh process per
notebook, `slow`/`cuda`/`eval: false` cells skipped unless `--flags` names them). Plotly figures become HTML that
draws with one local copy of plotly.js, and LaTeX is typeset by a local MathJax (the `jupyter-server-mathjax`
package), so the site needs no network: open `_site/index.html` in a browser. Live widgets need a kernel: the
pages say so where one would be. `--inplace` instead adds the outputs to the notebooks in `nbs/`, sources untouched
(what the hosted site's workflow does before `nbdev_docs`; `nbdev_clean` clears them again: never commit them).
"""
import argparse, json, multiprocessing, os, re, shutil, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from test_notebooks import _offline_env, notebook_files  # the tests' own offline set-up and notebook list

PLOTLY_MIME, WIDGET_MIME = "application/vnd.plotly.v1+json", "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "<p><em>An interactive widget here: run the notebook in Jupyter or Colab to use it.</em></p>"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # the combined configuration jupyter-server-mathjax ships
# subtle: jupyter-server-mathjax ships only the STIX-Web fonts; MathJax 2 asks for its TeX fonts first and fails offline
MATHJAX_FONTS = ('<script type="text/x-mathjax-config">MathJax.Hub.Config({"HTML-CSS": {availableFonts: ["STIX-Web"], '
                 'preferredFont: "STIX-Web", webFont: "STIX-Web", imageFont: null}});</script>')
REQUIRE_JS = re.compile(r'<script src="https?://[^"]*require[^"]*"></script>')  # only widgets need it: none live here

def execute(path:str, skip_flags:list, force_flags:list, renderer:str="plotly_mimetype") -> tuple:
    "(executed notebook as a dict, error text or None, seconds): run `path` as `nbdev_test` does, keeping outputs."
    os.environ["PLOTLY_RENDERER"] = renderer  # plotly's default renderer in the kernel
    from execnb.nbio import nb2dict
    from execnb.shell import CaptureShell
    from fastcore.foundation import working_directory
    from nbdev.process import NBProcessor
    from nbdev.frontmatter import FrontmatterProc
    os.environ["IN_TEST"] = "1"
    path, flags = Path(path), set(skip_flags) - set(force_flags)
    nb = NBProcessor(path, procs=FrontmatterProc, process=True).nb

    def skip(cell):
        if cell.cell_type != "code": return True
        directives = getattr(cell, "directives_", {}) or {}
        if directives.get("eval:", [""])[0].lower() == "false": return True
        return flags & directives.keys()

    start, shell, error = time.time(), CaptureShell(path), None
    try:
        with working_directory(path.parent): shell.run_all(nb, exc_stop=True, preproc=skip)
    except Exception: error = shell.prettytb(fname=path)
    nb = nb2dict(nb)
    for cell in nb["cells"]:  # a figure ending a cell leaves an empty execute_result beside its display: drop it
        if "outputs" in cell: cell["outputs"] = [o for o in cell["outputs"] if o.get("data", True)]
    return nb, error, time.time() - start

def for_reading(nb:dict) -> dict:
    "Plotly figures as HTML drawn by the page's one plotly.js (no MathJax, no CDN); live widgets as a note; no stderr."
    import plotly.io as pio
    for cell in nb["cells"]:
        # subtle: stderr is progress bars and library chatter, which a static page would show as a wall of pink
        cell["outputs"] = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
        for out in cell["outputs"]:
            data = out.get("data", {})
            if WIDGET_MIME in data: out["data"] = {"text/html": WIDGET_NOTE}
            if PLOTLY_MIME not in data: continue
            data["text/html"] = pio.to_html(data.pop(PLOTLY_MIME), include_plotlyjs=False, full_html=False,
                                            include_mathjax=False, validate=False)
    return nb

def with_outputs(path:Path, nb:dict) -> str:
    "The notebook file at `path` with the outputs of its executed copy `nb` (matched by cell id), sources untouched."
    original, outputs = json.loads(path.read_text()), {c.get("id"): c.get("outputs", []) for c in nb["cells"]}
    for cell in original["cells"]:
        if cell["cell_type"] == "code": cell["outputs"] = outputs.get(cell.get("id"), [])
    return json.dumps(original, indent=1, ensure_ascii=False) + "\n"

def _job(job:tuple) -> tuple:
    folder, *args = job
    os.chdir(folder)
    return execute(*args)

def title_cell(cell:dict) -> dict:
    "The markdown title and summary back in place of the front matter that nbdev's processing made of them."
    import yaml
    if cell["cell_type"] != "raw" or not "".join(cell["source"]).startswith("---"): return cell
    meta = yaml.safe_load("".join(cell["source"]).strip().strip("-")) or {}
    text = f"# {meta.get('title', '')}" + (f"\n\n> {meta['description']}" if meta.get("description") else "")
    return {"cell_type": "markdown", "id": "title", "metadata": {}, "source": text}

def shown(cell:dict) -> bool:
    "False for cells a reader does not need: `#| hide` and `#| default_exp` (as nbdev's own docs leave them out)."
    directives = [line.split()[1] for line in "".join(cell["source"]).splitlines()
                  if line.startswith("#|") and len(line.split()) > 1]
    return not {"hide", "default_exp"} & set(directives)

def render(nb:dict, title:str, pages:list, mathjax_url:str) -> str:
    "One page of the site: nbconvert's lab template, local MathJax, local plotly.js, links to every page."
    import nbformat
    from nbconvert import HTMLExporter
    nb = {**nb, "cells": [title_cell(c) for c in nb["cells"] if shown(c)]}
    exporter = HTMLExporter(template_name="lab", mathjax_url=mathjax_url)
    exporter.exclude_input_prompt = exporter.exclude_output_prompt = True
    node = nbformat.reads(json.dumps(nb), as_version=4)  # subtle: joins the sources' line lists, as a file read does
    body, _ = exporter.from_notebook_node(node, resources={"metadata": {"name": title}})
    links = " · ".join(f'<a href="{p}.html">{p}</a>' for p in pages)
    nav = (f'<nav style="padding:8px 16px;font-family:sans-serif"><a href="index.html">echo_nb</a> · {links} · '
           f'<a href="notebooks/{title}.ipynb">this notebook, executed</a></nav>')
    head = f'<head>\n<script src="static/plotly.min.js"></script>\n{MATHJAX_FONTS}'
    return REQUIRE_JS.sub("", body).replace("<head>", head, 1).replace("<main>", f"<main>{nav}", 1)

def copy_static(out:Path):
    "plotly.js and MathJax into `out/static` (and a folder for the executed notebooks)."
    import plotly.offline
    static = out / "static"
    static.mkdir(parents=True, exist_ok=True)
    (out / "notebooks").mkdir(exist_ok=True)
    (static / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    try: import jupyter_server_mathjax
    except ImportError: sys.exit("MathJax for the offline site comes from the jupyter-server-mathjax package: "
                                 "pip install jupyter-server-mathjax")
    shutil.copytree(Path(jupyter_server_mathjax.__file__).parent / "static", static / "mathjax", dirs_exist_ok=True)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="_site", help="folder for the site (default: _site)")
    p.add_argument("--path", default=None, help="a notebook or a folder of notebooks (default: every notebook)")
    p.add_argument("--flags", default="", help='space-separated test flags to run too (e.g. "slow")')
    p.add_argument("--n-workers", type=int, default=2, help="notebooks run at once")
    p.add_argument("--inplace", action="store_true", help="write the executed notebooks over nbs/, no HTML")
    args = p.parse_args(argv)
    _offline_env()
    cfg, files = notebook_files(args.path, "to build")
    start = time.time()
    # subtle: in place, for Quarto, figures keep the HTML of plotly's notebook renderer (plotly.js from its CDN)
    renderer = "plotly_mimetype+notebook_connected" if args.inplace else "plotly_mimetype"
    jobs = [(str(cfg.nbs_path), str(f), cfg.tst_flags.split(), args.flags.split(), renderer) for f in files]
    # subtle: one process per notebook, as the tests run them, so no state leaks between notebooks
    with ProcessPoolExecutor(min(args.n_workers, len(files)), mp_context=multiprocessing.get_context("spawn"),
                             max_tasks_per_child=1) as pool:
        results = list(pool.map(_job, jobs))
    out = Path(args.out)
    pages = [f.stem for f in notebook_files(None, "to build")[1] if f.stem != "index"]
    if not args.inplace: copy_static(out)
    for f, (nb, error, secs) in zip(files, results):
        print(f"{'ok  ' if error is None else 'FAIL'} {f.name} ({secs:.0f} s)")
        if error: sys.stderr.write(error + "\n")
        if args.inplace:
            f.write_text(with_outputs(f, nb))
            continue
        (out / "notebooks" / f.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        html = render(for_reading(nb), f.stem, pages, f"static/mathjax/MathJax.js?config={MATHJAX_CONFIG}")
        (out / f"{f.stem}.html").write_text(html, encoding="utf-8")
    n_fail = sum(error is not None for _, error, _ in results)
    print(f"total {time.time() - start:.0f} s")
    print(f"site: {out / 'index.html'}" if not args.inplace else f"executed in place: {len(files)} notebooks")
    print(f"notebooks: {len(files) - n_fail} passed, {n_fail} failed")
    return 1 if n_fail else 0

if __name__ == "__main__": sys.exit(main())
