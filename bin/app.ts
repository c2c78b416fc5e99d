#!/usr/bin/env -S npx tsx
/**
 * The CDK app (`cdk.json` runs it): the Baton demo stack, checked by cdk-nag.
 * See docs/operations.md for deploying it.
 */
import { createDemoApp } from '../lib/cdk/demo-app.js';

createDemoApp();
