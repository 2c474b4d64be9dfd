// Runs before every .ts entry point of the npm scripts (start, worker, arena, bench, test), in plain
// JavaScript that any Node can run: on a Node too old to run TypeScript files it says so in one line,
// instead of failing with ERR_UNKNOWN_FILE_EXTENSION. npm puts the project's own Node (the `node`
// package, installed by its preinstall script) first on PATH; a Node older than this means that
// script did not run, and the machine's Node was found instead.
'use strict';

const NEED = [22, 18]; // type stripping without a flag
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < NEED[0] || (major === NEED[0] && minor < NEED[1])) {
  console.error(`Gradient Arena needs Node ${NEED.join('.')} or newer (this is Node ${process.versions.node}, ${process.execPath}): run npm install so the project's own Node is used`);
  process.exit(1);
}
