#!/usr/bin/env -S npx tsx
/**
 * The demo's CDK app (`lab/cdk.json` runs it): the Baton demo stack, checked
 * by cdk-nag. See docs/operations.md for deploying it.
 */
import { createDemoApp } from './demo-app.js';

createDemoApp();
