import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBLocalIdentity } from '../runtime/contract.js';
import { LeaseValidationError } from '../runtime/errors.js';
import { describeValue, validateObject } from '../runtime/validate.js';

/**
 * The region every local client uses. DynamoDB Local accepts any region; a
 * fixed one keeps the SDK from looking for AWS configuration on the machine.
 */
export const LOCAL_REGION = DynamoDBLocalIdentity.region;

/**
 * Fixed fake credentials for DynamoDB Local. Being explicit stops the SDK's
 * default provider chain from reading real credentials (environment, profiles,
 * instance metadata) just to sign requests to a local test database.
 *
 * Letters and digits only: DynamoDB Local 2.0+ rejects any access key id that
 * does not match `[A-Za-z0-9]+` with UnrecognizedClientException.
 */
export const LOCAL_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }> = Object.freeze({
  ...DynamoDBLocalIdentity.credentials,
});

/**
 * A `DynamoDBClient` for a DynamoDB Local endpoint, with {@link LOCAL_REGION}
 * and {@link LOCAL_CREDENTIALS}. `config` overrides any of them.
 *
 * @example
 * ```ts
 * const db = await startDynamoDBLocal();
 * const client = localDynamoDBClient(db.endpoint, { maxAttempts: 1 });
 * ```
 */
export function localDynamoDBClient(endpoint: string, config: Partial<DynamoDBClientConfig> = {}): DynamoDBClient {
  validateEndpoint(endpoint);
  validateObject('config', config);
  // Read once, here: the SDK reads some options lazily, where a throwing getter would become an unhandled rejection.
  const own = { ...config };
  return new DynamoDBClient({
    region: LOCAL_REGION,
    credentials: { ...LOCAL_CREDENTIALS },
    endpoint,
    ...own,
  });
}

/**
 * The environment that points a handler's own `DynamoDBClient` (and any
 * `new DynamoDBClient({})`) at a DynamoDB Local: its endpoint, the local
 * region and the fixed fake credentials. For tests of a handler, which builds
 * its client from the environment at its first invocation.
 *
 * @example
 * ```ts
 * Object.assign(process.env, localDynamoDBEnv(endpoint), { BATON_TABLE_NAME: table, BATON_LEASE_NAME: 'nightly' });
 * ```
 */
export function localDynamoDBEnv(
  endpoint: string,
): Record<'AWS_ENDPOINT_URL_DYNAMODB' | 'AWS_REGION' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY', string> {
  validateEndpoint(endpoint);
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

function validateEndpoint(endpoint: unknown): void {
  if (typeof endpoint !== 'string' || !/^https?:\/\/\S+$/.test(endpoint)) {
    throw new LeaseValidationError('endpoint', `must be an http:// or https:// URL, got ${describeValue(endpoint)}`);
  }
}
