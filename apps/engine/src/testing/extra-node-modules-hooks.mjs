/** Module resolution hooks registered by ./extra-node-modules.mjs (runs on the loader thread). */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

let fallbackParent = null;

export function initialize({ dir }) {
  // Resolving from a file that sits next to `dir` makes the default resolver search `dir` first.
  fallbackParent = pathToFileURL(join(dirname(dir), '__resolve_from__.js')).href;
}

const BARE = /^(?![./]|[a-z][a-z0-9+.-]*:)/i;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (!fallbackParent || !BARE.test(specifier) || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return nextResolve(specifier, { ...context, parentURL: fallbackParent });
  }
}
