import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `lib` folder of the tree this module runs from: the sources
 * (`lib/`), or the compiled package (`dist/esm/lib/`, `dist/cjs/lib/`).
 * Modules that find files of their own package (the DynamoDB Local launcher,
 * the example job) start from here. The CommonJS build compiles
 * `lib-dir-cjs.cts` in place of this file, because `import.meta` does not
 * exist in CommonJS (docs/decisions/package.md).
 */
export const libDir: string = dirname(dirname(fileURLToPath(import.meta.url)));
