// Worker threads do not inherit the tsx loader: every worker starts here, then loads its TypeScript entry.
require('tsx/cjs');
require(require('node:worker_threads').workerData.__entry);
