#!/usr/bin/python3
"""Export reduced-width torchvision video classifiers to ONNX, with PyTorch reference outputs.

Writes, for each architecture, a model directory under
apps/engine/src/model/onnx/fixtures/<name>/ that F-EP Studio can load as it is:

  model.onnx       torch.onnx.export, opset 13, eval mode (BatchNorm folded into Conv); ops_zoo: opset 14
  fep-model.json   format "onnx", layout NCTHW, Kinetics mean/std, labels, sha256 of model.onnx
  reference.json   input recipe, target, PyTorch logits, summary of the input gradient
  grad.npy         d logits[0, target] / d clip, float32 [1,T,H,W,3], w.r.t. the [0,1] NTHWC clip

The networks are torchvision's own video architectures built from torchvision's own blocks
(torchvision.models.video.resnet: BasicBlock, Conv3DSimple, Conv3DNoTemporal, Conv2Plus1D and the
stems' kernel/stride/padding; torchvision.models.video.s3d: TemporalSeparableConv,
SepInceptionBlock3D, Conv3dNormActivation) at reduced width and depth, so the exported graphs use
the same ONNX operators as the full models at a few hundred KB each. Weights are random
(torch.manual_seed), BatchNorm statistics and affine parameters are randomised so that folding
them into the convolutions matters.

The clip is not stored: it is the integer hash `clip_value(i)` below over the flat NTHWC index,
which apps/engine/src/model/onnx/fixtures.ts reproduces bit for bit. The references are computed
in float64 (the model and the clip cast to double), so they measure the float32 error of the
TF.js import rather than PyTorch's.

Run with Debian's PyTorch (python3-torch 1.13, python3-torchvision 0.14):
  /usr/bin/python3 apps/engine/scripts/export-onnx-fixtures.py
"""
import hashlib
import importlib
import json
import os
import sys
from functools import partial

import numpy as np
import torch
from torch import nn
from torchvision.models.video import resnet as tvr
from torchvision.ops.misc import Conv3dNormActivation

# `torchvision.models.video.s3d` the attribute is the builder function; import the module itself.
tvs = importlib.import_module('torchvision.models.video.s3d')

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'model', 'onnx', 'fixtures')
CLASSES = 10
TARGET = 3
# torchvision's Kinetics-400 normalisation (torchvision.transforms._presets.VideoClassification).
MEAN = [0.43216, 0.394666, 0.37645]
STD = [0.22803, 0.22145, 0.216989]


def clip_value(n):
    """Deterministic clip values in [0,1): Knuth's multiplicative hash of the flat index, top 24 bits."""
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761)) % np.uint64(2**32)
    return ((h >> np.uint64(8)).astype(np.float64) / float(2**24)).astype(np.float32)


class SmallVideoResNet(tvr.VideoResNet):
    """tvr.VideoResNet with the stem and stage widths as arguments (torchvision hard-codes 64..512)."""

    def __init__(self, block, conv_makers, layers, stem, widths, num_classes):
        nn.Module.__init__(self)
        self.inplanes = widths[0]
        self.stem = stem
        self.layer1 = self._make_layer(block, conv_makers[0], widths[0], layers[0], stride=1)
        self.layer2 = self._make_layer(block, conv_makers[1], widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, conv_makers[2], widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, conv_makers[3], widths[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool3d((1, 1, 1))
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)


def basic_stem(w):
    # tvr.BasicStem with 64 → w
    return nn.Sequential(nn.Conv3d(3, w, kernel_size=(3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False), nn.BatchNorm3d(w), nn.ReLU(inplace=True))


def r2plus1d_stem(mid, w):
    # tvr.R2Plus1dStem with 45, 64 → mid, w
    return nn.Sequential(
        nn.Conv3d(3, mid, kernel_size=(1, 7, 7), stride=(1, 2, 2), padding=(0, 3, 3), bias=False),
        nn.BatchNorm3d(mid),
        nn.ReLU(inplace=True),
        nn.Conv3d(mid, w, kernel_size=(3, 1, 1), stride=(1, 1, 1), padding=(1, 0, 0), bias=False),
        nn.BatchNorm3d(w),
        nn.ReLU(inplace=True),
    )


WIDTHS = [8, 12, 16, 24]
LAYERS = [1, 1, 1, 1]  # torchvision's *_18 use [2, 2, 2, 2]; one block per stage keeps every operator


def r3d_18_small():
    return SmallVideoResNet(tvr.BasicBlock, [tvr.Conv3DSimple] * 4, LAYERS, basic_stem(WIDTHS[0]), WIDTHS, CLASSES)


def mc3_18_small():
    return SmallVideoResNet(tvr.BasicBlock, [tvr.Conv3DSimple] + [tvr.Conv3DNoTemporal] * 3, LAYERS, basic_stem(WIDTHS[0]), WIDTHS, CLASSES)


def r2plus1d_18_small():
    return SmallVideoResNet(tvr.BasicBlock, [tvr.Conv2Plus1D] * 4, LAYERS, r2plus1d_stem(6, WIDTHS[0]), WIDTHS, CLASSES)


class SmallS3D(tvs.S3D):
    """tvs.S3D's feature pipeline at 1/8 width with fewer inception blocks (same operators)."""

    def __init__(self, num_classes, avgpool_kernel):
        nn.Module.__init__(self)
        norm_layer = partial(nn.BatchNorm3d, eps=0.001, momentum=0.001)
        SIB, TSC = tvs.SepInceptionBlock3D, tvs.TemporalSeparableConv
        self.features = nn.Sequential(
            TSC(3, 8, 7, 2, 3, norm_layer),
            nn.MaxPool3d(kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)),
            Conv3dNormActivation(8, 8, kernel_size=1, stride=1, norm_layer=norm_layer),
            TSC(8, 24, 3, 1, 1, norm_layer),
            nn.MaxPool3d(kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1)),
            SIB(24, 8, 12, 16, 2, 4, 4, norm_layer),  # → 32
            SIB(32, 16, 16, 24, 4, 12, 8, norm_layer),  # → 60
            nn.MaxPool3d(kernel_size=(3, 3, 3), stride=(2, 2, 2), padding=(1, 1, 1)),
            SIB(60, 24, 12, 26, 2, 6, 8, norm_layer),  # → 64
            nn.MaxPool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0)),
            SIB(64, 32, 20, 40, 4, 16, 16, norm_layer),  # → 104
        )
        self.avgpool = nn.AvgPool3d(kernel_size=avgpool_kernel, stride=1)
        self.classifier = nn.Sequential(nn.Dropout(p=0.2), nn.Conv3d(104, num_classes, kernel_size=1, stride=1, bias=True))


class OpsZoo(nn.Module):
    """Not a torchvision model: one small network that exports most other supported operators
    (unfused BatchNormalization, depthwise and grouped Conv, HardSwish, HardSigmoid, LeakyRelu,
    Sigmoid, Tanh, Clip, Sub, Mul, Div, ceil-mode MaxPool, AveragePool counting its padding,
    Slice, Transpose, Shape/Gather → Reshape, Unsqueeze/Squeeze, MatMul, Softmax, ReduceMean,
    ReduceMax, ReduceSum, Gemm,
    Concat). Exported with opset 14 (HardSwish is an operator from 14 on) and without constant
    folding, so the Shape/Gather arithmetic stays in the graph."""

    def __init__(self, num_classes):
        super().__init__()
        self.conv = nn.Conv3d(3, 6, (1, 3, 3), padding=(0, 1, 1))
        self.bn = nn.BatchNorm3d(6)
        self.dw = nn.Conv3d(6, 6, (3, 3, 3), padding=1, groups=6)
        self.gconv = nn.Conv3d(6, 8, (1, 1, 1), groups=2)
        self.pool = nn.AvgPool3d((2, 3, 3), stride=(2, 2, 2), padding=(0, 1, 1))
        self.fc1 = nn.Linear(8, 12)
        self.fc2 = nn.Linear(12, num_classes)

    def forward(self, x):
        x = self.bn(torch.relu(self.conv(x)))  # BN after an activation: the exporter cannot fold it
        x = nn.functional.hardswish(x) + nn.functional.leaky_relu(x, 0.1) * torch.sigmoid(x) - nn.functional.hardsigmoid(x) / 2
        x = torch.clamp(self.dw(x), -1.0, 1.5)
        x = torch.tanh(self.gconv(x))
        x = nn.functional.max_pool3d(x, (1, 2, 2), stride=(1, 2, 2), ceil_mode=True)
        x = self.pool(x)
        x = x[:, :, :, 1:]
        n = x.size(0)
        x = x.permute(0, 2, 3, 4, 1).reshape(n, -1, 8)
        x = x.unsqueeze(1).squeeze(1)
        a = torch.softmax(torch.matmul(x, x.transpose(1, 2)) / 8**0.5, dim=-1)
        y = torch.matmul(a, x)
        x = y.mean(dim=1) + 0.5 * y.amax(dim=1) + 0.01 * y.sum(dim=1)
        x = torch.relu(self.fc1(x))
        x = torch.cat([x[:, :6], x[:, 6:] * 2.0], dim=1)
        return self.fc2(x)


# name → (builder, frames, height, width[, torch.onnx.export options])
FIXTURES = {
    'r3d_18': (r3d_18_small, 8, 32, 32),
    'mc3_18': (mc3_18_small, 8, 32, 32),
    'r2plus1d_18': (r2plus1d_18_small, 8, 32, 32),
    # 8×64×64 → features [*,104,1,2,2]; AvgPool (1,2,2) as torchvision's (2,7,7) is at 224².
    's3d': (lambda: SmallS3D(CLASSES, (1, 2, 2)), 8, 64, 64),
    'ops_zoo': (lambda: OpsZoo(CLASSES), 4, 15, 15, {'do_constant_folding': False, 'opset_version': 14}),
}


def randomise(model, seed):
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.Conv3d):
            nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            if m.bias is not None:
                nn.init.uniform_(m.bias, -0.1, 0.1)
        elif isinstance(m, (nn.BatchNorm3d, nn.BatchNorm2d)):
            nn.init.uniform_(m.weight, 0.5, 1.5)
            nn.init.uniform_(m.bias, -0.2, 0.2)
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.1)
            nn.init.uniform_(m.bias, -0.1, 0.1)
    return model.eval()


def preprocess(clip01):
    """[N,T,H,W,3] in [0,1] → normalised [N,3,T,H,W] (what fep-model.json declares)."""
    mean = torch.tensor(MEAN, dtype=clip01.dtype)
    std = torch.tensor(STD, dtype=clip01.dtype)
    return ((clip01 - mean) / std).permute(0, 4, 1, 2, 3)


def onnx_ops(path):
    try:
        import onnx
    except ImportError:
        return None
    m = onnx.load(path)
    return sorted({n.op_type for n in m.graph.node})


def export(name, builder, t, h, w, seed, options=None):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    model = randomise(builder(), seed)
    onnx_path = os.path.join(d, 'model.onnx')
    dummy = torch.zeros(1, 3, t, h, w)
    torch.onnx.export(model, dummy, onnx_path, input_names=['clip'], output_names=['logits'], dynamic_axes={'clip': {0: 'N'}, 'logits': {0: 'N'}}, **{'opset_version': 13, 'do_constant_folding': True, **(options or {})})

    shape = [1, t, h, w, 3]
    clip = torch.from_numpy(clip_value(int(np.prod(shape))).reshape(shape)).double().requires_grad_(True)
    with torch.no_grad():
        logits32 = model.float()(preprocess(clip.detach().float())).numpy()
    model64 = model.double()
    logits = model64(preprocess(clip))
    logits[0, TARGET].backward()
    grad = clip.grad.numpy().astype(np.float32)
    np.save(os.path.join(d, 'grad.npy'), grad)

    sha = hashlib.sha256(open(onnx_path, 'rb').read()).hexdigest()
    manifest = {
        'name': f'{name}-small-onnx-fixture',
        'version': '1',
        'format': 'onnx',
        'input': {'frames': t, 'height': h, 'width': w, 'channels': 3, 'layout': 'NCTHW', 'valueRange': [0, 1], 'mean': MEAN, 'std': STD},
        'labels': [f'class_{i}' for i in range(CLASSES)],
        'weightsSha256': sha,
    }
    json.dump(manifest, open(os.path.join(d, 'fep-model.json'), 'w'), indent=2)
    ref = {
        'architecture': f'torchvision.models.video {name} blocks, reduced width',
        'torch': torch.__version__,
        'seed': seed,
        'clip': {'shape': shape, 'recipe': 'clip_value: ((i * 2654435761) mod 2^32 >> 8) / 2^24, float32'},
        'target': TARGET,
        'logits': logits.detach().numpy().tolist(),
        'logitsFloat32': logits32.tolist(),
        'gradFile': 'grad.npy',
        'gradAbsMax': float(np.abs(grad).max()),
        'onnxOps': onnx_ops(onnx_path),
        'onnxBytes': os.path.getsize(onnx_path),
        'params': sum(p.numel() for p in model.parameters()),
    }
    json.dump(ref, open(os.path.join(d, 'reference.json'), 'w'), indent=2)
    print(f'{name}: {ref["onnxBytes"]} bytes, {ref["params"]} params, ops {ref["onnxOps"]}')


def main():
    names = sys.argv[1:] or list(FIXTURES)
    for name in names:
        builder, t, h, w, *options = FIXTURES[name]
        export(name, builder, t, h, w, seed=1000 + list(FIXTURES).index(name), options=options[0] if options else None)


if __name__ == '__main__':
    main()
