// Asks the browser for a WebGPU adapter as soon as the page starts, while its modules still load: the answer can
// take a few hundred milliseconds (on a machine without a GPU, Chromium looks for one first), and the page's first
// picture waits for it. client/shell/renderer-choice.ts takes this request's answer instead of asking again.
globalThis.arenaAdapterRequest = globalThis.navigator?.gpu?.requestAdapter?.().catch(() => null);
