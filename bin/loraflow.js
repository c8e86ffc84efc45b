#!/usr/bin/env node
// Entry point of the `loraflow` command: TypeScript sources run directly through tsx.
require('tsx/cjs');
require('../server/cli/main.ts');
