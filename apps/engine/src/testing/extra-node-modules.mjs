/**
 * `node --import <this file>`: adds the directory named by FEP_EXTRA_NODE_MODULES as one more
 * `node_modules` searched for bare specifiers that the normal lookup does not find — what NODE_PATH
 * does for CommonJS (Node's ES module resolver ignores NODE_PATH). Used by src/backend.test.ts to
 * put a temporary `@tensorflow/tfjs-node-gpu` on a child process's resolution path without touching
 * the checkout's node_modules.
 */
import { register } from 'node:module';

const dir = process.env.FEP_EXTRA_NODE_MODULES;
if (dir) register('./extra-node-modules-hooks.mjs', import.meta.url, { data: { dir } });
