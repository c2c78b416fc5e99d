import { dirname } from 'node:path';

/** The CommonJS build's `lib-dir.ts` (docs/decisions/package.md). */
export const libDir: string = dirname(__dirname);
