import type { RunExportFile } from '../../shared/api.schema.ts';
import { h } from '../shell/dom.ts';

/** Each export's link text and what it is. */
const LINKS: ReadonlyArray<{ file: RunExportFile; text: string; title: string }> = [
  { file: 'metrics.csv', text: 'CSV', title: 'The learning curve as CSV: samples, loss, accuracy, validation loss and accuracy' },
  { file: 'metrics.json', text: 'JSON', title: 'The learning curve as JSON' },
  { file: 'run.json', text: 'run file', title: 'The run file: replay it bit for bit with npm run arena -- replay' },
  { file: 'model.json', text: 'model', title: 'The model for tf.loadLayersModel (its preprocessing block says what goes in and comes out); keep weights.bin beside it' },
  { file: 'weights.bin', text: 'weights', title: 'The weights model.json reads: save them in the same folder' },
];

/** Download links for a stored run's exports (`GET /api/runs/:id/:file`). */
export function runDownloads(runId: string): HTMLElement {
  const short = runId.slice(0, 8);
  const links = LINKS.map(({ file, text, title }) => {
    // model.json names its weights "weights.bin": both keep their own names so tf.loadLayersModel finds them side by side
    const name = file === 'model.json' || file === 'weights.bin' ? file : `run-${short}-${file}`;
    return h('a', { href: `/api/runs/${runId}/${file}`, download: name, title, 'data-export': file }, text);
  });
  return h('span', { class: 'run-downloads', 'data-run-id': runId }, ...links.flatMap((a, i) => (i === 0 ? [a] : [' · ', a])));
}
