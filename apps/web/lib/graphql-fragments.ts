/**
 * Appends the fragment definitions a GraphQL document spreads, so it can be sent as one
 * self-contained document (lib/operations/fragments.ts holds the shared fragments).
 *
 * Only fragments the document actually uses (directly or through another fragment) are appended,
 * each exactly once, however many spreads name it and however many of the given strings carry its
 * definition: the server rejects unused fragments and repeated fragment names. A spread that
 * neither the document nor the given fragments define throws at module load, not on the server.
 *
 * A small scanner instead of the graphql parser, to keep the parser out of the browser bundle.
 */

const NAME = '[_A-Za-z][_0-9A-Za-z]*';

/** The text with string literals and comments blanked out (same length, so indices still match). */
function blankStringsAndComments(text: string): string {
  return text.replace(/"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

interface Definition {
  name: string;
  /** The definition's text, `fragment Name on Type { … }`. */
  text: string;
}

/** The fragment definitions in a GraphQL text, in order. */
export function fragmentDefinitions(text: string): Definition[] {
  const scan = blankStringsAndComments(text);
  const head = new RegExp(`\\bfragment\\s+(${NAME})\\s+on\\s+${NAME}[^{]*\\{`, 'g');
  const out: Definition[] = [];
  let m: RegExpExecArray | null;
  while ((m = head.exec(scan))) {
    let depth = 1;
    let i = head.lastIndex;
    for (; i < scan.length && depth > 0; i++) {
      if (scan[i] === '{') depth++;
      else if (scan[i] === '}') depth--;
    }
    if (depth !== 0) throw new Error(`GraphQL fragment ${m[1]} has unbalanced braces.`);
    out.push({ name: m[1]!, text: text.slice(m.index, i) });
    head.lastIndex = i;
  }
  return out;
}

/** Names of the named fragment spreads (`...Name`, not inline `... on Type`) in a GraphQL text. */
export function fragmentSpreads(text: string): string[] {
  const names = new Set<string>();
  for (const m of blankStringsAndComments(text).matchAll(new RegExp(`\\.\\.\\.\\s*(${NAME})`, 'g'))) {
    if (m[1] !== 'on') names.add(m[1]!);
  }
  return [...names];
}

/**
 * `document` followed by the definition of every fragment it uses, taken from `fragments` (each
 * string holds one or more fragment definitions; the same fragment may appear in several of them
 * as long as the text is the same). Fragments defined in `document` itself are left as they are.
 */
export function withFragments(document: string, fragments: readonly string[] = []): string {
  const available = new Map<string, string>();
  for (const source of fragments) {
    for (const def of fragmentDefinitions(source)) {
      const seen = available.get(def.name);
      if (seen !== undefined && seen.replace(/\s+/g, ' ') !== def.text.replace(/\s+/g, ' ')) {
        throw new Error(`Two different GraphQL fragments are named ${def.name}.`);
      }
      available.set(def.name, def.text);
    }
  }
  const local = new Map(fragmentDefinitions(document).map((d) => [d.name, d.text]));
  const appended: string[] = [];
  const done = new Set<string>(local.keys());
  const visit = (text: string) => {
    for (const name of fragmentSpreads(text)) {
      if (done.has(name)) continue;
      const def = available.get(name);
      if (def === undefined) throw new Error(`GraphQL fragment ${name} is spread but not defined; pass it to operation()/withFragments().`);
      done.add(name);
      appended.push(def);
      visit(def);
    }
  };
  visit(document);
  if (appended.length === 0) return document;
  return `${document.trimEnd()}\n${appended.map((d) => `  ${d}`).join('\n')}\n`;
}
