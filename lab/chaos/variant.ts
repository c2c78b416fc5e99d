import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LeaseStore } from 'baton-lease';

/** How the chaos job writes the fenced resource. Both on is the correct use. */
export interface ResourceWriteOptions {
  /** Condition every write on `fence <= token` (`fencedUpdate`). */
  readonly fence: boolean;
  /** Condition every write on the resource's `lastTick < tick`, so a tick runs at most once. */
  readonly tickDedupe: boolean;
}

export const CORRECT_RESOURCE_WRITES: ResourceWriteOptions = Object.freeze({ fence: true, tickDedupe: true });

/** What a variant's store wrapper may use besides the real store: the worker's client (through the proxy) and the lease table. */
export interface VariantContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * A variant of the protocol or of its use: broken on purpose, to show that
 * the campaign and its checker catch what they claim to catch, or a proposed
 * fix, to show that it removes what a campaign found. Variants are defined by
 * tests and loaded by worker processes from a module path; the CLI offers no
 * way to select one, and `lib/runtime` is never changed: a variant wraps the
 * real `LeaseStore` (injected through `LeaseClient`'s `store` option) or
 * changes how the job writes the resource.
 */
export interface ProtocolVariant {
  /** One line: what is different. */
  readonly description: string;
  /** Wraps the real store, e.g. to drop a condition. */
  readonly wrapStore?: (store: LeaseStore, context: VariantContext) => LeaseStore;
  /** How the job writes the resource. @default CORRECT_RESOURCE_WRITES */
  readonly resource?: Partial<ResourceWriteOptions>;
}

/** Where a worker finds a variant: a module exporting `variants: Record<string, ProtocolVariant>`, and the name. */
export interface VariantRef {
  /** Absolute path (or file URL) of the module. */
  readonly module: string;
  readonly name: string;
}

/** Loads a variant in a worker process. */
export async function loadVariant(ref: VariantRef): Promise<ProtocolVariant> {
  const url = ref.module.startsWith('file:') ? ref.module : pathToFileURL(ref.module).href;
  const loaded = (await import(url)) as { variants?: Record<string, ProtocolVariant> };
  const variant = loaded.variants?.[ref.name];
  if (!variant) throw new Error(`variant "${ref.name}" not found in ${ref.module} (expected an export "variants")`);
  return variant;
}
