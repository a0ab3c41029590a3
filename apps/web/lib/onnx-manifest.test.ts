import { describe, expect, it } from 'vitest';
import { KINETICS_NORMALISATION, nameFromFile, ONNX_FORM_DEFAULTS, parseLabelsText, validateOnnxForm, type OnnxFormValues } from './onnx-manifest.ts';

const onnx = { name: 'r2plus1d_18.onnx', size: 1234 };
const filled = (over: Partial<OnnxFormValues> = {}): OnnxFormValues => ({ ...ONNX_FORM_DEFAULTS, name: 'r2plus1d_18', labels: 'abseiling\nair drumming\n', ...over });

describe('the ONNX upload form', () => {
  it('defaults to torchvision: NCTHW, 16×112×112, values in [0, 1], Kinetics normalisation', () => {
    const r = validateOnnxForm(filled(), onnx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.manifest).toEqual({
      name: 'r2plus1d_18',
      version: '1',
      format: 'onnx',
      input: { frames: 16, height: 112, width: 112, channels: 3, layout: 'NCTHW', valueRange: [0, 1], mean: [0.43216, 0.394666, 0.37645], std: [0.22803, 0.22145, 0.216989] },
      labels: ['abseiling', 'air drumming'],
    });
    expect(r.manifest.input.mean).toEqual([...KINETICS_NORMALISATION.mean]);
    // The server computes the hash from the file it receives.
    expect('weightsSha256' in r.manifest).toBe(false);
  });

  it('names each field at fault, in words', () => {
    const r = validateOnnxForm(
      { name: ' ', version: '', layout: 'NCTHW', frames: '0', height: '11.5', width: 'x', valueMin: '1', valueMax: '0', mean: '0.4, 0.4', std: '0.2 0 0.2', labels: 'only-one' },
      null,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(['file', 'frames', 'height', 'labels', 'mean', 'name', 'std', 'valueMax', 'version', 'width']);
    expect(r.errors.frames).toBe('Frames must be a whole number above 0.');
    expect(r.errors.valueMax).toBe('The highest value must be above the lowest.');
    expect(r.errors.mean).toMatch(/3 numbers/);
    expect(r.errors.std).toBe('Every std entry must be above 0.');
    expect(r.errors.labels).toMatch(/at least 2 labels/);
  });

  it('accepts only a non-empty .onnx file', () => {
    const err = (file: { name: string; size: number }) => {
      const r = validateOnnxForm(filled(), file);
      return r.ok ? undefined : r.errors.file;
    };
    expect(err({ name: 'model.zip', size: 10 })).toBe('model.zip is not an .onnx file.');
    expect(err({ name: 'model.onnx', size: 0 })).toBe('model.onnx is empty.');
    expect(err({ name: 'MODEL.ONNX', size: 10 })).toBeUndefined();
  });

  it('reads numbers separated by commas or spaces, and the NTHWC layout', () => {
    const r = validateOnnxForm(filled({ layout: 'NTHWC', mean: '0 0 0', std: '1,1, 1', valueMin: '0', valueMax: '255', frames: ' 8 ' }), onnx);
    expect(r.ok && r.manifest.input).toMatchObject({ layout: 'NTHWC', frames: 8, mean: [0, 0, 0], std: [1, 1, 1], valueRange: [0, 255] });
  });

  it('reads labels one per line (blank lines and CRLF dropped) or as a JSON array', () => {
    expect(parseLabelsText('a\r\n\r\n b \nc\n')).toEqual(['a', 'b', 'c']);
    expect(parseLabelsText('["x", "y z"]')).toEqual(['x', 'y z']);
    expect(parseLabelsText('[not json\nsecond')).toEqual(['[not json', 'second']);
  });

  it('names the model after its file', () => {
    expect(nameFromFile('r2plus1d_18.onnx')).toBe('r2plus1d_18');
    expect(nameFromFile('s3d.ONNX')).toBe('s3d');
  });
});
