import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatonEnv } from 'baton-lease';
import { createSingletonHandler } from 'baton-lease/lambda';
import { appendLedgerEntry } from './ledger-job.js';

/**
 * The example cron singleton, `CronSingleton`'s default entry: on each tick,
 * one ledger entry (see `ledger-job.ts`). Configured by BATON_TABLE_NAME and
 * BATON_LEASE_NAME, like any Baton function.
 */
const tableName = process.env[BatonEnv.tableName] ?? '';
const leaseName = process.env[BatonEnv.leaseName] ?? '';
const client = new DynamoDBClient({});

export const handler = createSingletonHandler({ client, job: appendLedgerEntry(client, tableName, leaseName) });
