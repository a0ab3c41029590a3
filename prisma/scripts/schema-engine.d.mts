/** Types for the helpers scripts/schema-engine.mjs exports (the file itself is the engine executable). */
export declare function parsePgTextArray(literal: string): (string | null)[];
export declare function pgConfigFromUrl(url: string): {
  config: { host: string; port: number; user: string; database: string; password?: string; ssl?: { rejectUnauthorized: boolean } };
  schema: string | undefined;
};
export declare function urlKind(url: string | undefined): 'postgres' | 'pglite';

export declare function scriptFeedback(script: string): {
  migrationSteps: number;
  unexecutableSteps: { message: string; stepIndex: number }[];
  warnings: { message: string; stepIndex: number }[];
};
