import type { SharedDesign } from '../../shared/design.schema.ts';
import { TaskSpec } from '../../shared/task.schema.ts';
import { h } from '../shell/dom.ts';
import { PageScope } from '../shell/page-scope.ts';
import { designApi } from './design-api.ts';
import { SpecEditor } from './spec-editor.ts';

/** A design with image layers is for MNIST; any other fits the 2D tasks (the designer checks it against one). */
const taskFor = (d: SharedDesign): TaskSpec => TaskSpec.parse({ name: d.spec.layers.some((l) => l.type !== undefined && l.type !== 'dense') ? 'mnist' : 'spiral' });

/**
 * A shared design (`#/design/<shareId>`): its name and owner, and the designer with it loaded, where the
 * visitor may change it and save it (or a copy under its name, "Save a copy") to their saved specs, which
 * every room's designer offers.
 */
export async function mountSharedDesign(app: HTMLElement, shareId: string, page = new PageScope()): Promise<PageScope> {
  app.replaceChildren(h('section', { class: 'panel', id: 'shared-design' }, h('h2', {}, 'Shared design'), h('p', { class: 'muted' }, 'Loading the design…')));
  let design: SharedDesign;
  try {
    design = await designApi.shared(shareId);
  } catch (err) {
    if (!page.disposed) app.replaceChildren(h('section', { class: 'panel', id: 'shared-design' }, h('h2', {}, 'Shared design'), h('p', { class: 'error-text', role: 'alert' }, err instanceof Error ? err.message : String(err)), h('p', {}, h('a', { href: '/' }, 'Go to the arena'))));
    return page;
  }
  if (page.disposed) return page;
  const task = taskFor(design);
  const editor = new SpecEditor(task, () => {});
  editor.setSpec(design.spec);
  const copy = h('button', { type: 'button', id: 'shared-save-copy' }, 'Save a copy');
  copy.addEventListener('click', () => editor.saveAs(design.name));
  app.replaceChildren(
    h(
      'section',
      { class: 'panel', id: 'shared-design', 'data-name': design.name },
      h('h2', {}, `Shared design: “${design.name}”`),
      h('p', { class: 'muted', id: 'shared-design-owner' }, `By ${design.owner}, saved ${new Date(design.savedAt).toLocaleString()}. Shown in the designer on ${task.name === 'mnist' ? 'MNIST' : 'the 2D tasks'}.`),
      h('div', { class: 'row' }, copy, h('a', { href: '/', class: 'button ghost', id: 'shared-design-home' }, 'Go to the arena')),
      h('p', { class: 'muted' }, 'Saved specs appear in the designer of every race, tournament and playground you open from this browser, and on your account once you have one.'),
      editor.element,
    ),
  );
  copy.focus();
  return page;
}
