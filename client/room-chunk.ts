/**
 * One chunk for the room pages. Left to itself the bundler splits the code the four room pages (playground, race,
 * tournament, GAN) share by which pages import it, so opening a room's link fetched the page and ten small files
 * after the first script; on a busy machine those requests, not their bytes, held the join up. This group gathers
 * each room page and the app's own modules it imports statically, directly or not, into one `room` chunk, leaving
 * out what the first script already holds (the entry's static imports) and the libraries (Zod is in the first
 * script's imports; Pixi and Babylon load with the views that draw, when shown).
 */
import type { Plugin } from 'vite';

const roomPage = /[\\/]client[\\/](playground|race|tournament|gan)[\\/][\w-]+\.page\.ts$/;
/** Drawing libraries: a module that imports one up front, directly or not, stays out (the GAN page and its plane), so no room waits on them. */
const drawingLibrary = /[\\/]node_modules[\\/](pixi\.js|@babylonjs)[\\/]/;
/** The app's modules a room page needs up front: filled at the build's end, read while chunking. */
const roomModules = new Set<string>();

const plugin: Plugin = {
  name: 'room-chunk-modules',
  apply: 'build',
  buildEnd() {
    const ids = [...this.getModuleIds()];
    const closure = (roots: string[], keep: (id: string) => boolean) => {
      const seen = new Set<string>();
      for (const stack = [...roots]; stack.length > 0; ) {
        const id = stack.pop()!;
        if (seen.has(id) || !keep(id)) continue;
        seen.add(id);
        stack.push(...(this.getModuleInfo(id)?.importedIds ?? []));
      }
      return seen;
    };
    const initial = closure(ids.filter((id) => this.getModuleInfo(id)?.isEntry), () => true);
    roomModules.clear();
    const drawing = new Map<string, boolean>();
    const draws = (id: string): boolean => {
      if (drawingLibrary.test(id)) return true;
      if (id.includes('node_modules')) return false;
      if (!drawing.has(id)) {
        drawing.set(id, false); // an import cycle reads "not yet known" as no
        drawing.set(id, (this.getModuleInfo(id)?.importedIds ?? []).some(draws));
      }
      return drawing.get(id)!;
    };
    const inRoom = (id: string) => !initial.has(id) && !id.includes('node_modules') && !draws(id);
    for (const id of closure(ids.filter((id) => roomPage.test(id)), inRoom)) roomModules.add(id);
  },
};

const group = { name: 'room', includeDependenciesRecursively: false, test: (id: string) => roomModules.has(id) };

export const roomChunk = { plugin, group };
