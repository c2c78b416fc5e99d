#!/usr/bin/env node
/**
 * `baton`, the operator CLI that ships in the package: look at a lease, follow
 * it, force-release a stuck one. Compiled to JavaScript and run by plain node.
 * The lab tools (demo, bench, chaos, sim, tour) live in `lab/bin/lab.ts`.
 */
import { dispatch, type Command } from './dispatch.js';

const COMMANDS: Record<string, Command> = {
  status: { summary: 'show a lease: holder, token, expiry, last tick', load: () => import('./commands/status.js') },
  watch: { summary: 'follow a lease as it changes hands', load: () => import('./commands/watch.js') },
  release: { summary: 'force-release a stuck lease at a given token', load: () => import('./commands/release.js') },
  steps: { summary: 'show the step journal of one tick', load: () => import('./commands/steps.js') },
};

// The AWS SDK's Node.js version notice would precede every command's output; an operator asked for a lease's state.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
process.exitCode = await dispatch('baton', COMMANDS, process.argv.slice(2));
