import { defineConfig } from 'vitest/config';

/** tsconfig.json keeps JSX for Next ("preserve"); tests of components need it compiled (React's automatic runtime). */
export default defineConfig({ oxc: { jsx: { runtime: 'automatic' } } });
