#!/usr/bin/python3
"""Full-size torchvision video classifiers with random weights, for the ONNX model benchmark.

  /usr/bin/python3 apps/engine/bench/export_full_models.py [--out DIR] [r2plus1d_18 mc3_18 ...]

For each architecture writes DIR/<arch>/ (default DIR: apps/engine/bench/.models, git-ignored —
these are 47–134 MB each and are not committed):
  model.onnx      torch.onnx.export, opset 13, eval mode (BatchNorm folded), input [1,3,16,112,112]
  fep-model.json  format "onnx", NCTHW, torchvision's Kinetics mean/std, 400 labels, sha256
  state.pt        the PyTorch state dict, so bench/onnx_torch_reference.py times the same weights
  torch.json      the torchvision architecture's name and class count

Weights are random (seeded, BatchNorm statistics randomised as in scripts/export-onnx-fixtures.py):
timing does not depend on the weight values. Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
import hashlib
import importlib.util
import json
import os

import torch
from torchvision.models import video as tvv

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('fixtures', os.path.join(HERE, '..', 'scripts', 'export-onnx-fixtures.py'))
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)

ARCHS = {'r2plus1d_18': tvv.r2plus1d_18, 'mc3_18': tvv.mc3_18, 'r3d_18': tvv.r3d_18, 's3d': tvv.s3d}
FRAMES, SIZE, CLASSES = 16, 112, 400


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default=os.path.join(HERE, '.models'))
    ap.add_argument('archs', nargs='*', default=['r2plus1d_18', 'mc3_18'])
    args = ap.parse_args()
    for i, arch in enumerate(args.archs):
        d = os.path.join(args.out, arch)
        os.makedirs(d, exist_ok=True)
        model = fixtures.randomise(ARCHS[arch](num_classes=CLASSES), 2000 + i)
        torch.save(model.state_dict(), os.path.join(d, 'state.pt'))
        onnx_path = os.path.join(d, 'model.onnx')
        torch.onnx.export(model, torch.zeros(1, 3, FRAMES, SIZE, SIZE), onnx_path, opset_version=13,
                          input_names=['clip'], output_names=['logits'], do_constant_folding=True)
        sha = hashlib.sha256(open(onnx_path, 'rb').read()).hexdigest()
        manifest = {
            'name': f'{arch}-random', 'version': '1', 'format': 'onnx',
            'input': {'frames': FRAMES, 'height': SIZE, 'width': SIZE, 'channels': 3, 'layout': 'NCTHW',
                      'valueRange': [0, 1], 'mean': fixtures.MEAN, 'std': fixtures.STD},
            'labels': [f'class_{k}' for k in range(CLASSES)],
            'weightsSha256': sha,
        }
        json.dump(manifest, open(os.path.join(d, 'fep-model.json'), 'w'), indent=2)
        json.dump({'arch': arch, 'classes': CLASSES}, open(os.path.join(d, 'torch.json'), 'w'))
        print(json.dumps({'arch': arch, 'dir': d, 'bytes': os.path.getsize(onnx_path),
                          'params': sum(p.numel() for p in model.parameters()), 'ops': fixtures.onnx_ops(onnx_path)}))


if __name__ == '__main__':
    main()
