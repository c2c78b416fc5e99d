import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { LeaseValidationError } from '../runtime/errors.js';
import { describeValue, validateObject } from '../runtime/validate.js';

/**
 * The region every local client uses. DynamoDB Local accepts any region; a
 * fixed one keeps the SDK from looking for AWS configuration on the machine.
 */
export const LOCAL_REGION = 'us-east-1';

/**
 * Fixed fake credentials for DynamoDB Local. Being explicit stops the SDK's
 * default provider chain from reading real credentials (environment, profiles,
 * instance metadata) just to sign requests to a local test database.
 *
 * Letters and digits only: DynamoDB Local 2.0+ rejects any access key id that
 * does not match `[A-Za-z0-9]+` with UnrecognizedClientException.
 */
export const LOCAL_CREDENTIALS: Readonly<{ accessKeyId: string; secretAccessKey: string }> = Object.freeze({
  accessKeyId: 'batonlocal',
  secretAccessKey: 'batonlocal',
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
  if (typeof endpoint !== 'string' || !/^https?:\/\/\S+$/.test(endpoint)) {
    throw new LeaseValidationError('endpoint', `must be an http:// or https:// URL, got ${describeValue(endpoint)}`);
  }
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
