import ReactMarkdown from 'react-markdown';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';

/**
 * User-written Markdown (study instructions) rendered with react-markdown (CommonMark via remark,
 * React elements, no innerHTML) and sanitised by rehype-sanitize with its GitHub-like default
 * schema (drops `on…` attributes, `style`, `<script>`, `<iframe>`, and URLs outside http(s),
 * mailto and relative ones). Raw HTML in the source is turned into text before rendering (the
 * remark plugin below), so hostile markup is shown as the literal text it is and never becomes an
 * element. Links open with rel="noopener noreferrer nofollow".
 */
export function Markdown({ source, className, testId }: { source: string; className?: string; testId?: string }) {
  return (
    <div className={`space-y-2 text-sm text-slate-700 [&_a]:text-indigo-700 [&_a]:underline [&_ol]:list-decimal [&_ol]:pl-5 [&_ul]:list-disc [&_ul]:pl-5 [&_h1]:font-semibold [&_h2]:font-semibold [&_h3]:font-medium [&_code]:rounded [&_code]:bg-slate-100 [&_code]:px-1 ${className ?? ''}`} data-testid={testId}>
      <ReactMarkdown
        rehypePlugins={[[rehypeSanitize, defaultSchema]]}
        remarkPlugins={[htmlAsText]}
        components={{ a: ({ href, children }) => <a href={href} rel="noopener noreferrer nofollow" target="_blank">{children}</a> }}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}

/** remark plugin: raw HTML nodes become text, so hostile markup shows as what it is and never runs. */
function htmlAsText() {
  return (tree: MdNode) => {
    const walk = (n: MdNode) => {
      if (n.type === 'html') (n as { type: string }).type = 'text';
      n.children?.forEach(walk);
    };
    walk(tree);
  };
}
interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
}
