"""PyTorch reference of the engine's (2+1)D classifier, for bench/bench-engine.ts.

Reads a JSON export of the TF.js model (layer list with configs and float32 weights, a
preprocessed input clip [1,T,H,W,C] and TF.js's logits for it), builds the same network with
torch.nn.functional (Conv3d with (1,k,k) and (k,1,1) kernels, 'same' padding), checks the logits,
and times forward and forward+backward (gradient of logit 0 w.r.t. the input) with 2 threads, and
forward+backward again with 1 thread (less sensitive to other jobs on a shared 2-core machine).
Prints one JSON line.
"""
import base64
import json
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def tensor(w):
    return torch.from_numpy(np.frombuffer(base64.b64decode(w["data"]), dtype=np.float32).copy().reshape(w["shape"]))


def build(layers):
    ops = []
    for layer in layers:
        cls, cfg, ws = layer["className"], layer["config"], [tensor(w) for w in layer["weights"]]
        if cls == "FepPool2Plus1D":
            s, t = cfg["spatial"], cfg["temporal"]
            pool = F.avg_pool3d if cfg["mode"] == "avg" else F.max_pool3d
            ops.append(lambda x, s=s, t=t, pool=pool: pool(x, (t, s, s), (t, s, s)) if (s > 1 or t > 1) else x)
        elif cls == "FepTemporalDiff":
            ops.append(lambda x: torch.cat([x, torch.cat([torch.zeros_like(x[:, :, :1]), x[:, :, 1:] - x[:, :, :-1]], 2)], 1))
        elif cls in ("FepSpatialConv", "FepTemporalConv"):
            k, b = ws  # TF: [kh, kw, cin, cout] → torch [cout, cin, kt, kh, kw]
            if cls == "FepSpatialConv":
                w = k.permute(3, 2, 0, 1).unsqueeze(2).contiguous()
                pad = (0, k.shape[0] // 2, k.shape[1] // 2)
            else:
                w = k.permute(3, 2, 0, 1).unsqueeze(-1).contiguous()
                pad = (k.shape[0] // 2, 0, 0)
            act = cfg.get("activation", "relu")
            ops.append(lambda x, w=w, b=b, pad=pad, act=act: (F.relu if act == "relu" else (lambda y: y))(F.conv3d(x, w, b, padding=pad)))
        elif cls == "FepGlobalAvgPool3D":
            ops.append(lambda x: x.mean(dim=(2, 3, 4)))
        elif cls == "FepGlobalAvgMaxPool3D":
            ops.append(lambda x: torch.cat([x.mean(dim=(2, 3, 4)), x.amax(dim=(2, 3, 4))], 1))
        elif cls == "Dense":
            k, b = ws
            ops.append(lambda x, k=k, b=b: x @ k + b)
        else:
            raise SystemExit(f"unsupported layer {cls}")

    def forward(x):
        for op in ops:
            x = op(x)
        return x

    return forward


def main():
    spec = json.load(open(sys.argv[1]))
    torch.set_num_threads(2)
    net = build(spec["layers"])
    x = tensor(spec["input"]).permute(0, 4, 1, 2, 3).contiguous()  # NTHWC → NCTHW
    with torch.no_grad():
        logits = net(x)
    diff = float(np.max(np.abs(logits.numpy().ravel() - np.array(spec["logits"], dtype=np.float32))))

    def fwd():
        with torch.no_grad():
            net(x)

    def fwd_bwd():
        xi = x.clone().requires_grad_(True)
        net(xi)[0, 0].backward()

    def timed(fn, reps=7):
        fn()
        fn()
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            ts.append((time.perf_counter() - t0) * 1000)
        return statistics.median(ts)

    result = {"fwd_ms": timed(fwd), "fwd_bwd_ms": timed(fwd_bwd), "max_logit_diff": diff, "threads": torch.get_num_threads()}
    torch.set_num_threads(1)
    result["fwd_bwd_ms_1thread"] = timed(fwd_bwd)
    print(json.dumps(result))


main()
