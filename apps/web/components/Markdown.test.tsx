import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown.tsx';

const render = (source: string) => renderToStaticMarkup(<Markdown source={source} />);

describe('Markdown (study instructions)', () => {
  it('renders Markdown: headings, emphasis, lists, links', () => {
    const html = render('# Task\n\nRate **how plausible** each map is.\n\n- one\n- two\n\n[guide](https://example.org/g)');
    expect(html).toContain('<h1>Task</h1>');
    expect(html).toContain('<strong>how plausible</strong>');
    expect(html).toMatch(/<ul>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/);
    expect(html).toContain('<a href="https://example.org/g" rel="noopener noreferrer nofollow" target="_blank">guide</a>');
  });

  it('never turns raw HTML or script into elements; shows it as text', () => {
    const hostile = [
      `<img src=x onerror="window.__xss='img'">`,
      `<script>window.__xss='script'</script>`,
      `<svg onload="window.__xss='svg'"></svg>`,
      `<iframe srcdoc="<script>parent.__xss='iframe'</script>"></iframe>`,
      `<details open ontoggle="window.__xss='details'">x</details>`,
      `[click me](javascript:window.__xss='link') <a href="javascript:window.__xss='a'">link</a>`,
    ].join('\n\n');
    const html = render(hostile);
    expect(html).not.toMatch(/<(img|script|svg|iframe|details)\b/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son\w+=/i);
    expect(html).not.toMatch(/<[a-z][^>]*javascript:/i);
    // The markup is on screen as escaped text.
    expect(html).toContain('&lt;script&gt;window.__xss=&#x27;script&#x27;&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=');
    expect(html).toContain('click me');
  });
});
