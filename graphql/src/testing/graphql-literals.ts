import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLNamedType,
} from 'graphql';

/**
 * A syntactically valid GraphQL literal for any input type, filling required fields only — for
 * tests that call every operation of the schema. ID-like arguments (`ID`, `…Id`) take the value
 * `idFor(name)` returns, so a test can point them at real objects.
 */
export function inputLiteral(name: string, type: GraphQLInputType, idFor: (name: string) => string | undefined = () => undefined): string {
  if (isNonNullType(type)) return inputLiteral(name, type.ofType, idFor);
  if (isListType(type)) return `[${inputLiteral(name.replace(/s$/, ''), type.ofType, idFor)}]`;
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.name;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return `{${fields.map((f) => `${f.name}: ${inputLiteral(f.name, f.type, idFor)}`).join(', ')}}`;
  }
  if (isScalarType(named)) {
    if (named.name === 'ID' || /Id$/.test(name)) return JSON.stringify(idFor(name) ?? 'sample-id');
    if (named.name === 'Int') return '1';
    if (named.name === 'Float') return '0.5';
    if (named.name === 'Boolean') return 'true';
    if (named.name === 'JSON') return '{}';
    if (named.name === 'DateTime') return '"2026-01-01T00:00:00Z"';
    if (name === 'email') return '"someone@example.com"';
    return '"A reasonable value"';
  }
  throw new Error(`no literal for ${name}: ${String(type)}`);
}

/** The smallest selection a field of this type needs. */
export function minimalSelection(type: GraphQLNamedType): string {
  return isScalarType(type) || isEnumType(type) ? '' : ' { __typename }';
}
