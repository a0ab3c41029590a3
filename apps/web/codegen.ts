import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types for the web app's operations, generated from the API's SDL (graphql/src/**\/*.graphql).
 * Run `npm run codegen -w @fep/web` after changing an operation or the schema; the output is committed.
 */
const config: CodegenConfig = {
  schema: '../../graphql/src/**/*.graphql',
  documents: ['lib/operations/**/*.ts'],
  generates: {
    'lib/__generated__/graphql.ts': {
      plugins: ['typescript-operations'],
      config: {
        onlyOperationTypes: true,
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        skipTypename: true,
        scalars: {
          DateTime: 'string',
          JSON: 'unknown',
          ID: 'string',
        },
      },
    },
  },
  hooks: {},
};

export default config;
