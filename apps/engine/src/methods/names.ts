/**
 * Names of the registered explanation methods, without importing their implementations (so the CLI
 * can list them in its usage text without loading TensorFlow.js). `index.ts` registers exactly
 * these (checked by index.test.ts), and they equal the API's `KNOWN_METHODS`
 * (graphql/src/explanations/explanations.service.ts).
 */
export const METHOD_NAMES = ['fep', 'ep', 'random', 'gradient', 'smoothgrad', 'integrated-gradients', 'gradcam', 'occlusion'] as const;

export type MethodName = (typeof METHOD_NAMES)[number];
