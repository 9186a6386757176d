"""Run every notebook's tests the way `nbdev_test` does, offline, and count them.

Sets HF_HUB_OFFLINE/HF_DATASETS_OFFLINE and a temporary HF_HOME so nothing can download, runs the
notebooks in parallel with nbdev's own `test_nb`, each in a fresh process as a fresh kernel would (cells
flagged `slow`/`cuda` are skipped unless `--flags` names them), and prints `notebooks: N passed, M failed`
as its last line.
"""
import argparse, multiprocessing, os, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor

def _offline_env():
    "Point Hugging Face at an empty temporary home and forbid downloads."
    os.environ.update(HF_HUB_OFFLINE='1', HF_DATASETS_OFFLINE='1', TRANSFORMERS_OFFLINE='1',
                      HF_HOME=tempfile.mkdtemp(prefix='echo_nb_hf_'), MPLBACKEND='Agg')

def _test_in(folder, nb, **kwargs):
    "nbdev's `test_nb` on `nb`, run from `folder` (the notebooks' folder), in this worker process."
    from nbdev.test import test_nb
    os.chdir(folder)
    return test_nb(nb, **kwargs)

def notebook_files(path=None, what='to test'):
    "nbdev's config and the notebooks at `path` (default: every notebook), as nbdev_test picks them."
    from nbdev.config import get_config
    from nbdev.doclinks import nbglob
    from nbdev.test import _keep_file
    files = [f.absolute() for f in sorted(nbglob(path, as_path=True)) if _keep_file(f, '.notest')]
    if not files: sys.exit(f'No notebooks found {what}: run from the repository root.')
    return get_config(), files

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--flags', default='', help='space-separated test flags to run (e.g. "slow")')
    p.add_argument('--path', default=None, help='a notebook or glob (default: every notebook)')
    p.add_argument('--n-workers', type=int, default=2, help='notebooks run at once')
    args = p.parse_args(argv)
    _offline_env()
    cfg, files = notebook_files(args.path)
    start = time.time()
    # subtle: one process per notebook, so no state (threads, caches, C libraries) leaks between notebooks
    with ProcessPoolExecutor(min(args.n_workers, len(files)), mp_context=multiprocessing.get_context('spawn'),
                             max_tasks_per_child=1) as pool:
        futures = [pool.submit(_test_in, cfg.nbs_path, f, skip_flags=cfg.tst_flags.split(),
                               force_flags=args.flags.split(), basepath=cfg.config_path) for f in files]
        results = [f.result() for f in futures]
    for f, (ok, secs) in zip(files, results): print(f"{'ok  ' if ok else 'FAIL'} {f.name} ({secs:.0f} s)")
    n_fail = sum(not ok for ok, _ in results)
    print(f'total {time.time() - start:.0f} s')
    print(f'notebooks: {len(files) - n_fail} passed, {n_fail} failed')
    return 1 if n_fail else 0

if __name__ == '__main__': sys.exit(main())
