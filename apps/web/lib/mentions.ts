/**
 * @mentions in comment boxes. A mention is written as `@Token` where Token is the person's first
 * name, or their whole name without spaces when another member shares that first name. The
 * autocomplete inserts exactly that token; `mentionedIds` reads the ids back from the text (the
 * server then keeps only members of the team).
 */
export interface Person {
  id: string;
  name: string;
}

/** Letters, digits and `_.-` make up a token (the same set `mentionedIds` reads). */
const TOKEN = /@([\p{L}\p{N}_.-]+)/gu;

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? '';
const squashed = (name: string) => name.replace(/\s+/g, '');

/** The token the autocomplete writes for `person` among `people`. */
export function mentionToken(person: Person, people: readonly Person[]): string {
  const first = firstName(person.name);
  const shared = people.some((p) => p.id !== person.id && firstName(p.name).toLowerCase() === first.toLowerCase());
  return shared ? squashed(person.name) : first;
}

/** Ids of the people whose first name or squashed whole name appears as an `@token` in `body`. */
export function mentionedIds(body: string, people: readonly Person[]): string[] {
  // A sentence may end right after a mention ("…ask @Olga."): trailing punctuation is not the name.
  const tags = new Set([...body.matchAll(TOKEN)].map((m) => m[1]!.replace(/[_.-]+$/u, '').toLowerCase()));
  return people.filter((p) => tags.has(firstName(p.name).toLowerCase()) || tags.has(squashed(p.name).toLowerCase())).map((p) => p.id);
}

/** The `@query` being typed just before the caret, if any: where it starts and what it holds. */
export function activeMention(text: string, caret: number): { start: number; query: string } | null {
  const m = /(^|\s)@([\p{L}\p{N}_.-]*)$/u.exec(text.slice(0, caret));
  if (!m) return null;
  const query = m[2]!;
  return { start: caret - query.length - 1, query };
}

/** People matching the typed query: a prefix of any word of the name (or of the squashed name). */
export function mentionOptions(people: readonly Person[], query: string, limit = 8): Person[] {
  const q = query.toLowerCase();
  return people
    .filter((p) => {
      const n = p.name.toLowerCase();
      return !q || n.split(/\s+/).some((w) => w.startsWith(q)) || squashed(n).startsWith(q);
    })
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** `text` with the `@query` at `start` replaced by the person's token and a space; the new caret. */
export function insertMention(text: string, start: number, caret: number, person: Person, people: readonly Person[]): { text: string; caret: number } {
  const token = `@${mentionToken(person, people)} `;
  const after = text.slice(caret).replace(/^[\p{L}\p{N}_.-]*/u, '').replace(/^ /, '');
  return { text: text.slice(0, start) + token + after, caret: start + token.length };
}
