import { isPageShortcut } from '../widgets/page-keys.ts';

const KEY = 'arena.theme';
type Theme = 'light' | 'dark';

function preferred(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const listeners = new Set<(theme: Theme) => void>();

/** The current theme. */
export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

/** Applies the saved or system theme and wires the toggle button and the `t` key. */
export function initTheme(button: HTMLButtonElement): void {
  const apply = (theme: Theme) => {
    document.documentElement.dataset.theme = theme;
    for (const l of listeners) l(theme);
  };
  apply(preferred());
  const toggle = () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    localStorage.setItem(KEY, next);
    apply(next);
  };
  button.addEventListener('click', toggle);
  document.addEventListener('keydown', (e) => {
    if (e.key === 't' && isPageShortcut(e)) toggle();
  });
}

/** Calls `fn` whenever the theme changes. */
export function onThemeChange(fn: (theme: Theme) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** A CSS custom property's value now. */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
