"""Train the shipped SynthActions classifier's weights with PyTorch (CPU), for train-synth-model.ts.

Why PyTorch: TF.js's wasm backend has no Conv2DBackpropFilter kernel, so weight gradients are
computed by hand there and a training step costs ~56 ms per clip at 28×28; PyTorch on the same CPU
is an order of magnitude faster, which turns a multi-hour run into minutes. The network is the
same R(2+1)D-style model as src/model/r2plus1d.ts (stemPool 4, frame-difference stem, widths
16/32/64, global average ‖ max pool, dense) written with Conv3d (1,3,3)/(3,1,1) kernels; the
weights are exported in TF.js layout and train-synth-model.ts loads them into the TF.js model,
checks that both frameworks give the same logits, and measures held-out accuracy with the engine's
own TF.js forward pass.

Input (written by train-synth-model.ts into --data):
  train_x.npy float32 [N,16,28,28,3]  clips already 4×4 average-pooled (the model's parameter-free
                                      stem_pool layer, applied once instead of every epoch)
  train_y.npy uint8 [N]               class index;  train_d.npy uint8 [N]  distractor count
  val_x.npy / val_y.npy               validation clips (checkpoint selection)
  config.json                         mean/std (per channel), labels, hyper-parameters, seed

Output (into --out): weights.json (TF.js layer/weight name → shape + base64 float32 data),
val_logits.npy (logits of the selected checkpoint on the first 64 validation clips, for the
cross-framework check) and history.json. Progress is printed as JSON lines.
"""
import argparse
import base64
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class R2Plus1DTrunk(nn.Module):
    """src/model/r2plus1d.ts after its stem_pool layer; input [N,3,T,28,28], normalised."""

    def __init__(self, widths, classes):
        super().__init__()
        self.spatial = nn.ModuleList()
        self.temporal = nn.ModuleList()
        cin = 6  # frames ‖ frame differences (TemporalDiff)
        for w in widths:
            self.spatial.append(nn.Conv3d(cin, w, (1, 3, 3), padding=(0, 1, 1)))
            self.temporal.append(nn.Conv3d(w, w, (3, 1, 1), padding=(1, 0, 0)))
            cin = w
        self.logits = nn.Linear(2 * widths[-1], classes)
        # Same initialisers as the TF.js builder: He-normal convs (He et al. 2015), Glorot-uniform dense.
        for conv in [*self.spatial, *self.temporal]:
            nn.init.kaiming_normal_(conv.weight, nonlinearity="relu")
            nn.init.zeros_(conv.bias)
        nn.init.xavier_uniform_(self.logits.weight)
        nn.init.zeros_(self.logits.bias)

    def forward(self, x):
        diff = torch.cat([torch.zeros_like(x[:, :, :1]), x[:, :, 1:] - x[:, :, :-1]], 2)
        x = torch.cat([x, diff], 1)
        pools = [(1, 2, 2), (2, 2, 2), None]  # b1: 2×2 spatial; b2: 2×2 spatial + 2 temporal
        for spatial, temporal, pool in zip(self.spatial, self.temporal, pools):
            x = F.relu(temporal(F.relu(spatial(x))))
            if pool:
                x = F.max_pool3d(x, pool, pool)
        x = torch.cat([x.mean(dim=(2, 3, 4)), x.amax(dim=(2, 3, 4))], 1)
        return self.logits(x)

    def export_tfjs(self):
        """Weights keyed as in the TF.js model (layer/weight), in TF.js layouts."""
        out = {}

        def put(name, t):
            a = np.ascontiguousarray(t.detach().cpu().numpy().astype(np.float32))
            out[name] = {"shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode()}

        for b, (s, t) in enumerate(zip(self.spatial, self.temporal), start=1):
            put(f"b{b}_spatial/kernel", s.weight[:, :, 0].permute(2, 3, 1, 0))  # [kh,kw,cin,cout]
            put(f"b{b}_spatial/bias", s.bias)
            put(f"b{b}_temporal/kernel", t.weight[:, :, :, :, 0].permute(2, 3, 1, 0))  # [kt,1,cin,cout]
            put(f"b{b}_temporal/bias", t.bias)
        put("logits/kernel", self.logits.weight.t())
        put("logits/bias", self.logits.bias)
        return out


def flip_maps(labels):
    """Label permutations under horizontal / vertical flips (mirror swaps left↔right and cw↔ccw)."""
    idx = {name: i for i, name in enumerate(labels)}

    def perm(pairs):
        p = list(range(len(labels)))
        for a, b in pairs:
            p[idx[a]], p[idx[b]] = idx[b], idx[a]
        return torch.tensor(p)

    h = perm([("move_left", "move_right"), ("rotate_cw", "rotate_ccw")])
    v = perm([("move_up", "move_down"), ("rotate_cw", "rotate_ccw")])
    return h, v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    cfg = json.load(open(os.path.join(args.data, "config.json")))
    torch.manual_seed(cfg["seed"])
    torch.set_num_threads(cfg["threads"])
    rng = np.random.default_rng(cfg["seed"])

    mean = torch.tensor(cfg["mean"]).view(1, 3, 1, 1, 1)
    std = torch.tensor(cfg["std"]).view(1, 3, 1, 1, 1)

    def to_input(a):  # [n,T,H,W,C] float32 in [0,1] → normalised [n,C,T,H,W]
        return (torch.from_numpy(np.ascontiguousarray(a)).permute(0, 4, 1, 2, 3) - mean) / std

    train_x = np.load(os.path.join(args.data, "train_x.npy"), mmap_mode="r")
    train_y = torch.from_numpy(np.load(os.path.join(args.data, "train_y.npy")).astype(np.int64))
    train_d = np.load(os.path.join(args.data, "train_d.npy"))
    val_x = to_input(np.load(os.path.join(args.data, "val_x.npy")))
    val_y = torch.from_numpy(np.load(os.path.join(args.data, "val_y.npy")).astype(np.int64))
    hflip, vflip = flip_maps(cfg["labels"])

    model = R2Plus1DTrunk(cfg["widths"], len(cfg["labels"]))
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weightDecay"])
    steps, warmup, batch = cfg["steps"], cfg["warmup"], cfg["batch"]

    def lr_at(step):  # linear warm-up, cosine decay to 5 % (as the TF.js trainer before it)
        if step < warmup:
            return cfg["lr"] * (step + 1) / warmup
        p = (step - warmup) / max(1, steps - warmup)
        return cfg["lr"] * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p)))

    def evaluate():
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(val_x[i:i + 64]) for i in range(0, len(val_x), 64)])
        model.train()
        return float((logits.argmax(1) == val_y).float().mean()), logits

    # Curriculum (Bengio et al., ICML 2009): draw batches only from clips with ≤ cap distractors;
    # the cap rises by one when the mean loss of the last `curriculumWindow` steps < curriculumLoss.
    cap, recent, curriculum = 0, [], []
    history, best, best_state = [], -1.0, None
    started = time.time()
    loss_acc = 0.0
    for step in range(steps):
        pool = np.flatnonzero(train_d <= cap) if cap < 3 else None
        idx = np.sort(rng.choice(pool, batch, replace=False) if pool is not None else rng.choice(len(train_y), batch, replace=False))
        x = to_input(train_x[idx])
        y = train_y[idx].clone()
        # Label-aware flip augmentation: a mirrored clip of "move_left" is a "move_right" clip.
        fh = torch.from_numpy(rng.random(batch) < 0.5)
        fv = torch.from_numpy(rng.random(batch) < 0.5)
        x[fh] = x[fh].flip(4)
        y[fh] = hflip[y[fh]]
        x[fv] = x[fv].flip(3)
        y[fv] = vflip[y[fv]]
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        lv = float(loss)
        loss_acc += lv
        recent.append(lv)
        recent = recent[-cfg["curriculumWindow"]:]
        if cap < 3 and len(recent) == cfg["curriculumWindow"] and sum(recent) / len(recent) < cfg["curriculumLoss"]:
            cap += 1
            recent = []
            curriculum.append({"step": step + 1, "cap": cap})
            print(json.dumps({"event": "curriculum", "step": step + 1, "cap": cap}), flush=True)
        if (step + 1) % cfg["evalEvery"] == 0 or step + 1 == steps:
            acc, _ = evaluate()
            entry = {"step": step + 1, "clipsSeen": (step + 1) * batch, "distractorCap": cap, "loss": round(loss_acc / cfg["evalEvery"], 4),
                     "valAccuracy": acc, "elapsedS": round(time.time() - started)}
            loss_acc = 0.0
            # Select on validation accuracy among checkpoints trained on the full distribution.
            if cap >= 3 and acc > best:
                best = acc
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
                entry["selected"] = True
            history.append(entry)
            print(json.dumps({"event": "val", **entry}), flush=True)

    if best_state is None:
        raise SystemExit("the curriculum never reached the full distractor distribution; train longer")
    model.load_state_dict(best_state)
    acc, logits = evaluate()
    os.makedirs(args.out, exist_ok=True)
    json.dump(model.export_tfjs(), open(os.path.join(args.out, "weights.json"), "w"))
    np.save(os.path.join(args.out, "val_logits.npy"), logits[:64].numpy().astype(np.float32))
    json.dump({"history": history, "curriculum": curriculum, "selectedValAccuracy": acc, "torch": torch.__version__},
              open(os.path.join(args.out, "history.json"), "w"), indent=2)
    print(json.dumps({"event": "done", "valAccuracy": acc}), flush=True)


if __name__ == "__main__":  # export_shipped_onnx.py imports R2Plus1DTrunk
    main()
