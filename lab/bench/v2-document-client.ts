import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DeleteCommandInput,
  type GetCommandInput,
  type PutCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';

/** The callback of an aws-sdk v2 call: an error with a `code`, or the data. */
export type V2Callback = (error: (Error & { code?: string }) | null, data?: unknown) => void;

/**
 * The part of aws-sdk v2's `AWS.DynamoDB.DocumentClient` that
 * dynamodb-lock-client calls: callback-style `get`, `put`, `delete`, `update`
 * with document (plain JavaScript) values.
 */
export interface V2DocumentClient {
  get(params: GetCommandInput, callback: V2Callback): void;
  put(params: PutCommandInput, callback: V2Callback): void;
  delete(params: DeleteCommandInput, callback: V2Callback): void;
  update(params: UpdateCommandInput, callback: V2Callback): void;
}

/**
 * Serves dynamodb-lock-client's v2 DocumentClient calls with the project's v3
 * client, so the bench needs no aws-sdk v2 and every request goes through the
 * same HTTP stack and request counter as Baton's. Each call is exactly one v3
 * command: the adapter adds no request of its own.
 *
 * v2 names an error by `code` (the library tests
 * `error.code === "ConditionalCheckFailedException"`); v3 by `name`. The v3
 * error is passed on with `code` set to its `name`.
 */
export function v2DocumentClient(client: DynamoDBClient): V2DocumentClient {
  const doc = DynamoDBDocumentClient.from(client);
  const call =
    <I>(command: new (input: I) => GetCommand | PutCommand | DeleteCommand | UpdateCommand) =>
    (params: I, callback: V2Callback): void => {
      doc.send(new command(params) as never).then(
        (data) => callback(null, data),
        (error: Error & { code?: string }) => {
          error.code ??= error.name;
          callback(error);
        },
      );
    };
  return {
    get: call(GetCommand),
    put: call(PutCommand),
    delete: call(DeleteCommand),
    update: call(UpdateCommand),
  };
}
