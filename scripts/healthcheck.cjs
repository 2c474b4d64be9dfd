// A container healthcheck in plain JavaScript (docker-compose.yml), run with the image's node:
//   node scripts/healthcheck.cjs http://127.0.0.1:2567/health   healthy when the server answers 2xx
//   node scripts/healthcheck.cjs /tmp/arena-worker-health.json  healthy when a worker rewrote its
//                                                               HEALTH_FILE in the last 30 s
// Exit code 0 when healthy, 1 with one line saying why when not.
'use strict';

const fs = require('node:fs');

const MAX_AGE_MS = 30_000; // the worker rewrites its file every 10 s while it reaches Redis
const target = process.argv[2];

function fail(why) {
  console.error(`unhealthy: ${why}`);
  process.exit(1);
}

if (!target) fail('usage: node scripts/healthcheck.cjs <http url | health file>');
if (/^https?:\/\//.test(target)) {
  fetch(target, { signal: AbortSignal.timeout(5000) }).then(
    (r) => (r.ok ? process.exit(0) : fail(`${target} answered ${r.status}`)),
    (err) => fail(`${target}: ${err.message}`),
  );
} else {
  let age;
  try {
    age = Date.now() - fs.statSync(target).mtimeMs;
  } catch (err) {
    fail(`${target}: ${err.code ?? err.message}`);
  }
  if (age > MAX_AGE_MS) fail(`${target} is ${Math.round(age / 1000)} s old (the worker has not reached Redis since)`);
  process.exit(0);
}
