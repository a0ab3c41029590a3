/// <reference lib="dom" />
/**
 * The Models page's ONNX form in a real browser against the real product: inline
 * validation before anything is sent, an .onnx with an operator the import cannot run refused with
 * each operator and node listed, then a torchvision fixture (r2plus1d_18, reduced width) described
 * in the form — sizes typed, labels read from a labels file — registered and listed with its
 * weights hash (computed by the server from the file). Screenshots land in test-artifacts/e2e/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '@fep/api/testing/test-api.ts';
import { fixtureDir, withUnsupportedOps, writeEditedOnnxFixture } from '@fep/engine/model/onnx/fixtures.ts';
import { launchBrowser, type TestBrowser } from '../support/browser.ts';
import { ROOT, startWebServer, type WebServer } from './web-server.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts/e2e');
let server: WebServer;
let browser: TestBrowser;
let page: Page;
let owner: TestClient;
let teamId: string;
let tmp: string;

const manifest = JSON.parse(readFileSync(path.join(fixtureDir('r2plus1d_18'), 'fep-model.json'), 'utf8'));

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fep-onnx-e2e-'));
  server = await startWebServer();
  owner = new TestClient(server.url);
  await owner.ok(`mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }`, {
    input: { email: `onnx-${Date.now()}@example.com`, password: 'correct horse battery staple', name: 'Onnx Owner' },
  });
  teamId = (await owner.ok<any>(`mutation { createTeam(input: { name: "Onnx Lab" }) { id } }`)).createTeam.id;
  browser = await launchBrowser({ baseURL: server.url });
  const [name, value] = owner.cookie!.split('=') as [string, string];
  await browser.context.addCookies([{ name, value, url: server.url, httpOnly: true, sameSite: 'Lax' }]);
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

describe('uploading an ONNX model on the Models page', () => {
  it('shows what is missing next to each field before sending anything', async () => {
    await page.goto(`/models?team=${teamId}`);
    await page.getByTestId('onnx-form').waitFor();
    // The registry's list is fetched by the client: once a model is listed the page is hydrated
    // and the form's handlers are attached.
    await page.getByTestId('model-panel').first().waitFor();
    // torchvision's defaults are filled in.
    expect(await page.getByTestId('onnx-layout').inputValue()).toBe('NCTHW');
    expect(await page.getByTestId('onnx-mean').inputValue()).toBe('0.43216, 0.394666, 0.37645');
    await page.getByTestId('onnx-std').fill('0.2, 0');
    await page.getByTestId('onnx-submit').click();
    await page.getByTestId('onnx-file-error').waitFor();
    expect(await page.getByTestId('onnx-file-error').textContent()).toMatch(/Choose the \.onnx file/);
    expect(await page.getByTestId('onnx-labels-error').textContent()).toMatch(/at least 2 labels/);
    expect(await page.getByTestId('onnx-std-error').textContent()).toMatch(/3 numbers/);
    expect(await page.getByTestId('onnx-std').getAttribute('aria-invalid')).toBe('true');
    // The Kinetics preset restores the documented normalisation.
    await page.getByTestId('onnx-preset-kinetics').click();
    expect(await page.getByTestId('onnx-std').inputValue()).toBe('0.22803, 0.22145, 0.216989');
    expect(await page.getByTestId('onnx-std-error').count()).toBe(0);
    expect(await page.getByTestId('model-upload-status').textContent()).toBe('');
    await shot('onnx-1-inline-validation');
  });

  it('refuses an .onnx with operators the import cannot run, listing each operator and node', async () => {
    const dir = path.join(tmp, 'unsupported');
    writeEditedOnnxFixture('r3d_18', dir, withUnsupportedOps);
    browser.allow(/status of 400/);
    await page.getByTestId('onnx-file').setInputFiles({ name: 'r3d-einsum.onnx', mimeType: 'application/octet-stream', buffer: readFileSync(path.join(dir, 'model.onnx')) });
    expect(await page.getByTestId('onnx-name').inputValue()).toBe('r3d-einsum');
    await page.getByTestId('onnx-frames').fill('8');
    await page.getByTestId('onnx-height').fill('32');
    await page.getByTestId('onnx-width').fill('32');
    await page.getByTestId('onnx-labels').fill(manifest.labels.join('\n'));
    await page.getByTestId('onnx-submit').click();
    const error = page.getByTestId('model-upload-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/r3d-einsum\.onnx was not registered: The ONNX model uses operators the import cannot run/);
    expect(await page.getByTestId('model-upload-problems').locator('li').allTextContents()).toEqual([
      'unsupported operator Einsum in node /stem/stem.2/Relu',
      'unsupported operator com.microsoft.FusedGemm in node /fc/Gemm',
    ]);
    await shot('onnx-2-unsupported-operator');
  });

  it('registers a torchvision r2plus1d_18 export described in the form, labels read from a file', async () => {
    await page.getByTestId('onnx-file').setInputFiles({ name: 'r2plus1d_18.onnx', mimeType: 'application/octet-stream', buffer: readFileSync(path.join(fixtureDir('r2plus1d_18'), 'model.onnx')) });
    await page.getByTestId('onnx-name').fill(manifest.name);
    await page.getByTestId('onnx-labels').fill('');
    await page.getByTestId('onnx-labels-file').setInputFiles({ name: 'labels.txt', mimeType: 'text/plain', buffer: Buffer.from(manifest.labels.join('\n') + '\n') });
    await page.getByText(`${manifest.labels.length} labels read from labels.txt.`).waitFor();
    await page.getByTestId('onnx-submit').click();
    const done = page.getByTestId('model-upload-done');
    await done.waitFor({ timeout: 120_000 });
    expect(await done.textContent()).toContain(`${manifest.name} 1 is registered`);
    await page.getByRole('heading', { name: `${manifest.name} 1`, exact: true }).waitFor();
    await page.getByText(`weights ${manifest.weightsSha256}`).waitFor();
    const { models } = await owner.ok<any>(`query($t: ID!) { models(teamId: $t) { nodes { name format weightsSha256 labels } } }`, { t: teamId });
    expect(models.nodes.find((m: any) => m.name === manifest.name)).toEqual({ name: manifest.name, format: 'onnx', weightsSha256: manifest.weightsSha256, labels: manifest.labels });
    await shot('onnx-3-registered');
    expect(browser.errors()).toEqual([]);
  });
});
