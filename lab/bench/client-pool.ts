import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoDBClient } from 'baton-lease/testing';
import { countRequests, type RequestCounter } from 'baton-lease/testing';
import { countCapacity, type CapacityCounter } from './capacity-counter.js';

/** A client and what it has sent. */
export interface CountedClient {
  readonly client: DynamoDBClient;
  readonly requests: RequestCounter;
  /** The capacity units it consumed (docs/decisions/bench-cost.md). */
  readonly capacity: CapacityCounter;
}

/**
 * Hands out clients for the run's DynamoDB Local, each with its own request
 * counter (so a holder's heartbeats never count against a contender), and
 * destroys them all at the end. Every system gets the same client
 * configuration: the SDK's defaults, including its retries, which are counted.
 */
export class ClientPool {
  readonly #clients: DynamoDBClient[] = [];

  constructor(private readonly endpoint: string) {}

  create(): CountedClient {
    const client = localDynamoDBClient(this.endpoint);
    this.#clients.push(client);
    return { client, requests: countRequests(client), capacity: countCapacity(client) };
  }

  destroyAll(): void {
    for (const client of this.#clients.splice(0)) client.destroy();
  }
}
