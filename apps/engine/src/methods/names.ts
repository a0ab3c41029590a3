/**
 * Names of the registered explanation methods, from the method catalogue
 * (packages/shared/src/methods/catalogue.ts), without importing their implementations, so the CLI
 * can list them without loading TensorFlow.js. `index.ts` registers exactly these.
 */
export { METHOD_NAMES, type MethodName } from '@fep/shared/methods';
