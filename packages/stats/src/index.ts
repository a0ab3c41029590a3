export * from './prng.ts';
export * from './bootstrap.ts';
export * from './krippendorff.ts';
export * from './fleiss.ts';
export * from './bradley-terry.ts';
export * from './wilcoxon.ts';
