import { getNamedType, getNullableType, isListType, isObjectType, isLeafType, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE } from '../common/pagination.ts';
import { buildSchema } from '../schema.ts';
import { LIST_SIZES, QUERY_LIMITS, queryLimitsRule, VALUE_LISTS } from './query-limits.ts';

const schema = buildSchema();
const errorsOf = (query: string) => validate(schema, parse(query), [...specifiedRules, queryLimitsRule()]).map((e) => ({ message: e.message, ...e.extensions }));

describe('query limits', () => {
  it('costs a connection by its page size: absent or a variable counts as the largest page', () => {
    const run = (args: string) => errorsOf(`query${args.includes('$n') ? '($n: Int)' : ''} { teams${args} { nodes { members${args} { nodes { id role createdAt } } } } }`);
    expect(run('(first: 5)')).toEqual([]); // 1 + 1 + 5 × (1 + 1 + 5 × 3)
    for (const args of ['', '(first: $n)', '(first: 1000)']) {
      const [err] = run(args);
      expect(err, args).toMatchObject({ code: 'BAD_USER_INPUT', cost: 2 + MAX_PAGE_SIZE * (2 + MAX_PAGE_SIZE * 3) });
    }
  });

  it('counts aliases through fragments, per spread', () => {
    const spreads = Array.from({ length: 7 }, () => '...H').join(' ');
    expect(errorsOf(`{ ${spreads} } fragment H on Query { a: health { ok } b: health { ok } c: health { ok } }`)[0]).toMatchObject({ aliases: 21 });
  });

  it('measures nested fragment spreads once each (no exponential blow-up)', () => {
    let doc = 'fragment F0 on Query { health { ok } }';
    for (let i = 1; i <= 30; i++) doc += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
    const t0 = performance.now();
    errorsOf(`{ ...F30 } ${doc}`);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('refuses depth beyond the limit', () => {
    let deep = 'id';
    for (let i = 0; i < 5; i++) deep = `team { members(first: 1) { nodes { ${deep} } } }`;
    expect(errorsOf(`{ viewer { memberships(first: 1) { nodes { ${deep} } } } }`)[0]).toMatchObject({ code: 'BAD_USER_INPUT', limit: QUERY_LIMITS.maxDepth });
  });

  it('every list of objects in the schema is a connection, a bounded list or a list of scalar-only value objects', () => {
    const unclassified: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type))) continue;
        const item = getNamedType(field.type);
        if (isLeafType(item)) continue;
        const key = `${type.name}.${field.name}`;
        if (type.name.endsWith('Connection') && field.name === 'nodes') continue;
        if (key in LIST_SIZES) continue;
        if (VALUE_LISTS.has(key)) {
          expect(isObjectType(item) && Object.values(item.getFields()).every((f) => isLeafType(getNamedType(f.type))), key).toBe(true);
          continue;
        }
        unclassified.push(key);
      }
    }
    expect(unclassified).toEqual([]);
  });
});
