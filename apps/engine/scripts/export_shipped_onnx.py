#!/usr/bin/python3
"""Export the shipped SynthActions model (models/synth-r2plus1d) to ONNX, from its TF.js weights.

The shipped model is a TF.js Layers model (model.json + weights.bin). This script rebuilds the same
network in PyTorch — train_synth_model.py's R2Plus1DTrunk behind the model's 4×4 average-pool stem —
loads the committed TF.js weights into it (inverting R2Plus1DTrunk.export_tfjs's layouts),
and writes a model directory that F-EP Studio loads through its ONNX import:

  model.onnx       torch.onnx.export, opset 13, input "clip" [1,3,16,112,112] (NCTHW, normalised)
  fep-model.json   format "onnx", layout NCTHW, the shipped manifest's mean/std, value range, labels,
                   sha256 of model.onnx
  MODEL_CARD.md    copied from the shipped model

It proves the ONNX route gives the same network as the TF.js one: the engine's tests load both and
compare logits and F-EP saliency (apps/engine/src/model/onnx/shipped-onnx.test.ts).

The network is exported with ops the importer supports: the frame-difference stem is written as
Slice/Sub/Concat (zeros_like or F.pad would export ConstantOfShape and shape arithmetic), and the global average ‖
max pool as ReduceMean ‖ ReduceMax.

Run with Debian's PyTorch (python3-torch 1.13):
  /usr/bin/python3 apps/engine/scripts/export_shipped_onnx.py [--model DIR] [--out DIR]
train-synth-model.ts runs it after training, so a retrained model gets its ONNX twin.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from train_synth_model import R2Plus1DTrunk  # noqa: E402  (the training script's network)

DEFAULT_MODEL = os.path.join(HERE, '..', 'models', 'synth-r2plus1d')
DEFAULT_OUT = os.path.join(HERE, '..', 'src', 'model', 'onnx', 'fixtures', 'synth-r2plus1d')


class ShippedNetwork(torch.nn.Module):
    """The whole shipped model on a normalised NCTHW clip: stem pool, frame differences, trunk."""

    def __init__(self, trunk, stem_pool):
        super().__init__()
        self.trunk = trunk
        self.stem_pool = stem_pool

    def forward(self, x):
        s = self.stem_pool
        x = F.avg_pool3d(x, (1, s, s), (1, s, s))
        first = x[:, :, :1]
        diff = torch.cat([first - first, x[:, :, 1:] - x[:, :, :-1]], 2)  # frame 0's difference is 0
        x = torch.cat([x, diff], 1)
        t = self.trunk
        pools = [(1, 2, 2), (2, 2, 2), None]
        for spatial, temporal, pool in zip(t.spatial, t.temporal, pools):
            x = F.relu(temporal(F.relu(spatial(x))))
            if pool:
                x = F.max_pool3d(x, pool, pool)
        x = torch.cat([x.mean(dim=(2, 3, 4)), x.amax(dim=(2, 3, 4))], 1)
        return t.logits(x)


def read_tfjs_weights(model_dir):
    topo = json.load(open(os.path.join(model_dir, 'model.json')))
    out = {}
    for group in topo['weightsManifest']:
        buf = b''.join(open(os.path.join(model_dir, p), 'rb').read() for p in group['paths'])
        offset = 0
        for w in group['weights']:
            assert w['dtype'] == 'float32', w
            n = int(np.prod(w['shape']))
            out[w['name']] = np.frombuffer(buf, np.float32, n, offset).reshape(w['shape']).copy()
            offset += 4 * n
    return topo, out


def stem_pool_of(topo):
    for layer in topo['modelTopology']['config']['layers']:
        if layer['name'] == 'stem_pool':
            return int(layer['config']['spatial'])
    raise SystemExit('model.json has no stem_pool layer')


def load_trunk(weights, widths, classes):
    trunk = R2Plus1DTrunk(widths, classes)
    t = lambda a: torch.from_numpy(a)
    with torch.no_grad():
        for b, (s, tc) in enumerate(zip(trunk.spatial, trunk.temporal), start=1):
            # export_tfjs: spatial [cout,cin,1,kh,kw] → [kh,kw,cin,cout]; temporal [cout,cin,kt,1,1] → [kt,1,cin,cout]
            s.weight.copy_(t(weights[f'b{b}_spatial/kernel']).permute(3, 2, 0, 1).unsqueeze(2))
            s.bias.copy_(t(weights[f'b{b}_spatial/bias']))
            tc.weight.copy_(t(weights[f'b{b}_temporal/kernel']).permute(3, 2, 0, 1).unsqueeze(-1))
            tc.bias.copy_(t(weights[f'b{b}_temporal/bias']))
        trunk.logits.weight.copy_(t(weights['logits/kernel']).t())
        trunk.logits.bias.copy_(t(weights['logits/bias']))
    return trunk.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default=DEFAULT_MODEL, help='shipped model directory (TF.js Layers)')
    ap.add_argument('--out', default=DEFAULT_OUT, help='directory to write the ONNX model into')
    args = ap.parse_args()

    manifest = json.load(open(os.path.join(args.model, 'fep-model.json')))
    topo, weights = read_tfjs_weights(args.model)
    widths = [weights[f'b{b}_spatial/bias'].shape[0] for b in (1, 2, 3)]
    classes = weights['logits/bias'].shape[0]
    net = ShippedNetwork(load_trunk(weights, widths, classes), stem_pool_of(topo)).eval()

    inp = manifest['input']
    shape = (1, inp['channels'], inp['frames'], inp['height'], inp['width'])
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, 'model.onnx')
    torch.manual_seed(0)
    example = torch.rand(shape)
    torch.onnx.export(net, example, onnx_path, opset_version=13, input_names=['clip'], output_names=['logits'],
                      do_constant_folding=True)
    sha = hashlib.sha256(open(onnx_path, 'rb').read()).hexdigest()
    onnx_manifest = {
        'name': f"{manifest['name']}-onnx",
        'version': manifest['version'],
        'format': 'onnx',
        'input': {**{k: inp[k] for k in ('frames', 'height', 'width', 'channels')}, 'layout': 'NCTHW',
                  'valueRange': inp['valueRange'], 'mean': inp['mean'], 'std': inp['std']},
        'labels': manifest['labels'],
        'weightsSha256': sha,
    }
    card = manifest.get('modelCard')
    if card:
        shutil.copyfile(os.path.join(args.model, card), os.path.join(args.out, card))
        onnx_manifest['modelCard'] = card
    json.dump(onnx_manifest, open(os.path.join(args.out, 'fep-model.json'), 'w'), indent=2)
    try:
        import onnx
        ops = sorted({n.op_type for n in onnx.load(onnx_path).graph.node})
    except ImportError:
        ops = None
    print(json.dumps({'out': os.path.abspath(args.out), 'bytes': os.path.getsize(onnx_path), 'sha256': sha,
                      'widths': widths, 'classes': classes, 'ops': ops}))


if __name__ == '__main__':
    main()
