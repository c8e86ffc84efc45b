#!/usr/bin/env node
// Entry point of the `loraflow` command: TypeScript sources run directly through tsx.
// sharp decodes and resizes on libuv's thread pool (4 threads by default): give it every core before anything loads.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, require('node:os').availableParallelism()));
require('tsx/cjs');
require('../server/cli/main.ts');
