#!/usr/bin/python3
"""PyTorch timing of a model written by bench/export_full_models.py, for bench/bench-model.ts.

  onnx_torch_reference.py MODEL_DIR CLIP_F32 TARGET REPS

MODEL_DIR holds torch.json (architecture) and state.pt (the weights the ONNX file was exported
from); CLIP_F32 is the clip as raw float32 [1,T,H,W,3] in [0,1]. Builds the torchvision network,
applies fep-model.json's mean/std, and times (median of REPS after one warm-up) the forward pass
and forward + backward (gradient of logit TARGET w.r.t. the clip) with 2 threads and with 1
thread. Prints one JSON line with the times and the logits (for the cross-framework check).
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
from torchvision.models import video as tvv


def timed(fn, reps):
    fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


def main():
    model_dir, clip_file, target, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    arch = json.load(open(os.path.join(model_dir, 'torch.json')))
    manifest = json.load(open(os.path.join(model_dir, 'fep-model.json')))
    inp = manifest['input']
    model = getattr(tvv, arch['arch'])(num_classes=arch['classes'])
    model.load_state_dict(torch.load(os.path.join(model_dir, 'state.pt')))
    model.eval()
    shape = [1, inp['frames'], inp['height'], inp['width'], 3]
    clip = torch.from_numpy(np.fromfile(clip_file, dtype=np.float32).reshape(shape))
    mean = torch.tensor(inp['mean'])
    std = torch.tensor(inp['std'])

    def prep(c):
        return ((c - mean) / std).permute(0, 4, 1, 2, 3)

    def fwd():
        with torch.no_grad():
            return model(prep(clip))

    def fwd_bwd():
        c = clip.clone().requires_grad_(True)
        model(prep(c))[0, target].backward()
        return c.grad

    result = {'torch': torch.__version__, 'arch': arch['arch']}
    for threads in (2, 1):
        torch.set_num_threads(threads)
        result[f'fwd_ms_{threads}t'] = timed(fwd, reps)
        result[f'fwd_bwd_ms_{threads}t'] = timed(fwd_bwd, reps)
    result['logits'] = fwd()[0].tolist()
    print(json.dumps(result))


if __name__ == '__main__':
    main()
