"""Evidence behind Echo's controller defaults (see 04_pilot, "Choosing the controller defaults").

Trains the micro Echo briefly on a small eSpeak corpus under each rule (trend, probe, learned), then, at the probe
run's final weights, measures on 8 training batches how much one move of the base or the reach changes the loss
(paired: same batch, same weights), and what one probe costs against one training step. Writes one JSON file.

    python tools/controller_evidence.py --out /tmp/evidence --steps 150     # about 8 minutes on 2 busy CPU cores
"""
import argparse, json, statistics, time
from pathlib import Path
import torch
from echo_nb.attention import probe
from echo_nb.data import synthesize_corpus
from echo_nb.train import SpeechCollator, find_tokenizer, load_splits, named_controllers, train

ARMS = {"trend": dict(base_rule="trend", reach_rule="trend"), "probe": dict(probe_interval=10),
        "learned": dict(base_rule="learned", probe_interval=10)}

def run_arms(corpus:Path, out:Path, steps:int) -> tuple[dict, torch.nn.Module]:
    "A short run per rule: its logged losses, final eval and controller trajectories; and the probe run's model."
    common = dict(size="micro", max_steps=steps, batch_size=8, lr=2e-3, warmup_steps=30, seed=0, eval_steps=steps,
                  logging_steps=10, max_eval=20, save_total_limit=1, disable_tqdm=True)
    runs, model = {}, None
    for arm, overrides in ARMS.items():
        start = time.time()
        trainer = train("echo", str(corpus), str(out / arm), overrides=overrides, **common)
        hist = trainer.state.log_history
        runs[arm] = {"seconds": time.time() - start, "loss": [(h["step"], h["loss"]) for h in hist if "loss" in h],
                     "eval": [(h["step"], h.get("eval_loss"), h.get("eval_cer")) for h in hist if "eval_cer" in h],
                     "trajectories": {n: c.trajectory() for n, c in named_controllers(trainer.model).items()}}
        if arm == "probe": model = trainer.model
    return runs, model

def move_effects(model, corpus:Path, n_batches:int=8, batch_size:int=16) -> dict:
    "Relative change of the loss, per batch, when the base or the reach makes one move of several sizes."
    tok, (ds,) = find_tokenizer(str(corpus)), load_splits(str(corpus), ["train"])
    collate, effects = SpeechCollator.for_model(model, tok), {}
    base = next(c for c in model.controllers() if c.mode == "scale")
    reach = next(c for c in model.controllers() if c.mode == "step")
    model.eval()
    for b in range(n_batches):
        batch = collate([ds[i] for i in range(batch_size * b, batch_size * (b + 1))])
        with torch.no_grad():
            loss = lambda: model(**batch).loss.item()
            l0 = loss()
            for rho in (1.1, 1.25, 1.5, 2.0):
                for sign in (-1, 1):
                    with base.trial(base.value * rho ** sign):
                        effects.setdefault(f"base x{rho}^{sign}", []).append((loss() - l0) / l0)
            for s in (4, 8, 16):
                with reach.trial(reach.value - s): effects.setdefault(f"reach -{s}", []).append((loss() - l0) / l0)
    return effects

def probe_cost(model, corpus:Path, batch_size:int=16, repeats:int=4) -> dict:
    "Median seconds of one training step and of one probe (all controllers) on the same batch."
    tok, (ds,) = find_tokenizer(str(corpus)), load_splits(str(corpus), ["train"])
    batch = SpeechCollator.for_model(model, tok)([ds[i] for i in range(batch_size)])
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=0.0)
    def step():
        opt.zero_grad()
        model(**batch).loss.backward()
        opt.step()
    runs, times = {"step": step, "probe": lambda: probe(model, list(model.controllers()), lambda: model(**batch).loss)}, {}
    for _ in range(repeats + 1):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times.setdefault(name, []).append(time.perf_counter() - start)
    return {name: statistics.median(t[1:]) for name, t in times.items()}

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="controller_evidence", help="folder for the corpus, the runs and evidence.json")
    p.add_argument("--steps", type=int, default=150, help="training steps per rule")
    a = p.parse_args()
    torch.set_num_threads(1)
    out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
    corpus = synthesize_corpus(out / "corpus", 600, 20, 20, seed=0, max_words=5, vocab_size=259, progress=False)
    runs, model = run_arms(corpus, out, a.steps)
    result = {"command": f"python tools/controller_evidence.py --steps {a.steps}", "runs": runs,
              "effects": move_effects(model, corpus), "times": probe_cost(model, corpus)}
    (out / "evidence.json").write_text(json.dumps(result))

if __name__ == "__main__": main()
