import { createSingletonHandler } from 'baton-lease/lambda';
declare function rebuildIndex(options: { token: number; signal: AbortSignal }): Promise<void>;
// DOC EXAMPLE
