/// <reference lib="dom" />
/**
 * Page-quality probes for browser suites: axe-core (the engine behind Lighthouse's accessibility
 * audit) injected into the page, cumulative layout shift from a PerformanceObserver installed
 * before any page script runs, and horizontal overflow / visibility checks for laptop viewports.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; summary: string }[];
}

export interface AxeResult {
  violations: AxeViolation[];
  /** Text nodes whose colour contrast axe measured and found sufficient. */
  contrastPassed: number;
  /** Text nodes axe could not decide (e.g. text over an image or a gradient): "needs review". */
  contrastUndecided: string[];
}

/**
 * Runs axe-core on the current document with its default rule set (WCAG 2.x A/AA plus best
 * practices, as Lighthouse does) and returns every violation; callers decide which impacts fail.
 */
export async function runAxe(page: Page): Promise<AxeResult> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: any }).axe;
    const res = await axe.run(document);
    const nodes = (list: any[]) => list.filter((r) => r.id === 'color-contrast').reduce((n, r) => n + r.nodes.length, 0);
    return {
      violations: (res.violations as any[]).map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: (v.nodes as any[]).slice(0, 5).map((n) => ({ target: n.target.map(String), summary: String(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300) })),
      })),
      contrastPassed: nodes(res.passes),
      contrastUndecided: (res.incomplete as any[])
        .filter((r) => r.id === 'color-contrast')
        .flatMap((r) => r.nodes.map((n: any) => `${n.target.join(' ')}: ${String(n.any?.[0]?.message ?? '').slice(0, 120)}`)),
    };
  });
}

/** Serious and critical violations, one readable line per node (for assertion messages). */
export function seriousViolations(violations: AxeViolation[]): string[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id} (${v.help}): ${n.target.join(' ')} — ${n.summary}`));
}

/**
 * Installs a layout-shift observer in every document of the context before its scripts run.
 * Shifts within 500 ms of user input (`hadRecentInput`) do not count, as in the CLS definition.
 */
export async function observeLayoutShift(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __shifts: { value: number; time: number; sources: string[] }[] };
    w.__shifts = [];
    const describe = (n: Node | null | undefined) => {
      if (!n || !(n instanceof Element)) return n?.nodeName ?? '?';
      const id = n.getAttribute('data-testid');
      return `${n.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${n.className && typeof n.className === 'string' ? '.' + n.className.split(/\s+/).slice(0, 4).join('.') : ''}`;
    };
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as any[]) {
          if (e.hadRecentInput) continue;
          w.__shifts.push({ value: e.value, time: e.startTime, sources: (e.sources ?? []).map((s: any) => describe(s.node)) });
        }
      }).observe({ type: 'layout-shift', buffered: true });
    } catch {
      // No layout-shift support: nothing recorded, the caller sees CLS 0.
    }
  });
}

export interface LayoutShift {
  /** CLS as web-vitals defines it: the largest session window (gaps < 1 s, windows ≤ 5 s). */
  cls: number;
  /** Every shift added up (stricter than CLS). */
  total: number;
  shifts: { value: number; time: number; sources: string[] }[];
}

export async function layoutShift(page: Page): Promise<LayoutShift> {
  const shifts = await page.evaluate(() => (window as unknown as { __shifts?: { value: number; time: number; sources: string[] }[] }).__shifts ?? []);
  let cls = 0;
  let session = 0;
  let first = -Infinity;
  let last = -Infinity;
  for (const s of shifts) {
    if (s.time - last > 1000 || s.time - first > 5000) {
      session = 0;
      first = s.time;
    }
    session += s.value;
    last = s.time;
    cls = Math.max(cls, session);
  }
  return { cls, total: shifts.reduce((a, s) => a + s.value, 0), shifts };
}

/** How far the page scrolls sideways (0 when nothing overflows the viewport's width). */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const el = document.scrollingElement!;
    const width = el.clientWidth;
    const culprits: string[] = [];
    if (el.scrollWidth > width) {
      // An element clipped by a scroll container that itself fits (a table scrolling in its own box) is not a culprit.
      const clippedInside = (n: Element) => {
        for (let a = n.parentElement; a && a !== document.body; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= width + 0.5) return true;
        }
        return false;
      };
      for (const n of Array.from(document.body.querySelectorAll('*'))) {
        const r = n.getBoundingClientRect();
        if (r.right > width + 0.5 && r.width > 0 && !clippedInside(n)) {
          const id = n.getAttribute('data-testid');
          culprits.push(`${n.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}.${String(n.getAttribute('class') ?? '').split(/\s+/).slice(0, 5).join('.')} right=${Math.round(r.right)}`);
          if (culprits.length >= 8) break;
        }
      }
    }
    return { overflow: el.scrollWidth - width, culprits };
  });
}

/**
 * True when the element is rendered and lies horizontally inside the viewport (nothing cut off);
 * with `firstScreen`, also vertically inside it with the page scrolled to the top (no scrolling
 * needed to reach it). Boxes are in viewport coordinates.
 */
export async function insideViewport(page: Page, locator: Locator, firstScreen = false): Promise<boolean> {
  if (!(await locator.isVisible())) return false;
  if (firstScreen) await page.evaluate(() => window.scrollTo(0, 0));
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize()!;
  if (!box || box.width <= 0 || box.height <= 0 || box.x < 0 || box.x + box.width > width) return false;
  return !firstScreen || (box.y >= 0 && box.y + box.height <= height);
}

/**
 * Presses Tab up to `stops` times from the top of the page and returns every focused element
 * that shows no focus indicator (no outline and no box-shadow ring on it, or — for a visually
 * hidden input such as an sr-only radio — on its label). Stops early when focus leaves the page.
 */
export async function focusWithoutIndicator(page: Page, stops = 30): Promise<string[]> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.scrollTo(0, 0);
  });
  const missing: string[] = [];
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press('Tab');
    const r = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { done: true, ok: true, what: '' };
      // Native media controls: focus moves through the browser's own buttons inside the element's
      // user-agent shadow tree, which draw their own focus ring (not observable from the page).
      if ((el instanceof HTMLVideoElement || el instanceof HTMLAudioElement) && el.controls) return { done: false, ok: true, what: '' };
      const box = el.getBoundingClientRect();
      const shown = box.width <= 1 || box.height <= 1 ? (el.closest('label') ?? (el.id ? document.querySelector<HTMLElement>(`label[for="${el.id}"]`) : null) ?? el) : el;
      const cs = getComputedStyle(shown);
      const ok = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow !== 'none' && cs.boxShadow !== '');
      const id = el.getAttribute('data-testid');
      const name = el.getAttribute('aria-label') ?? el.textContent ?? '';
      return { done: false, ok, what: `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''} "${name.trim().replace(/\s+/g, ' ').slice(0, 30)}"` };
    });
    if (r.done) break;
    if (!r.ok) missing.push(r.what);
  }
  return missing;
}
