import { describe, expect, it } from 'vitest';
import { activeMention, insertMention, mentionedIds, mentionOptions, mentionToken } from './mentions.ts';

const people = [
  { id: 'o', name: 'Olga Owner' },
  { id: 'm', name: 'Max Member' },
  { id: 'm2', name: 'Max Mustermann' },
];

describe('mentions', () => {
  it('a token is the first name, or the squashed name when the first name is shared', () => {
    expect(mentionToken(people[0]!, people)).toBe('Olga');
    expect(mentionToken(people[1]!, people)).toBe('MaxMember');
  });

  it('reads mentioned ids back from the text, both token forms', () => {
    expect(mentionedIds('see @Olga and @MaxMustermann.', people)).toEqual(['o', 'm2']);
    expect(mentionedIds('mail me at a@b.c', people)).toEqual([]);
  });

  it('finds the @query before the caret, not inside an email address', () => {
    expect(activeMention('hello @Ol', 9)).toEqual({ start: 6, query: 'Ol' });
    expect(activeMention('@', 1)).toEqual({ start: 0, query: '' });
    expect(activeMention('a@b', 3)).toBeNull();
    expect(activeMention('hello @Olga there', 17)).toBeNull();
  });

  it('offers people whose name has a word starting with the query', () => {
    expect(mentionOptions(people, 'm').map((p) => p.id)).toEqual(['m', 'm2']);
    expect(mentionOptions(people, 'own').map((p) => p.id)).toEqual(['o']);
    expect(mentionOptions(people, '').map((p) => p.id)).toEqual(['m', 'm2', 'o']);
  });

  it('replaces the typed query with the token and puts the caret after it', () => {
    expect(insertMention('hi @Ma there', 3, 6, people[2]!, people)).toEqual({ text: 'hi @MaxMustermann there', caret: 18 });
    expect(insertMention('@o', 0, 2, people[0]!, people)).toEqual({ text: '@Olga ', caret: 6 });
  });
});
