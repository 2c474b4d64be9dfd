// zod 4 probes with Function('') whether it may compile its parsers, as each object schema is built. Under the
// page's Content-Security-Policy (no 'unsafe-eval', server/http/security-headers.ts) the probe fails quietly but
// still files a violation report. zod reads this global config when it loads, so it is set by a classic script
// that runs before the page's modules: no module-level z.config() call could run before every schema is built.
globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
