/**
 * Small DOM helpers every view shares: element creation, keyboard activation, the error line and the
 * `data-ready` flag the end-to-end tests wait for (DESIGN contract: #app[data-ready=true], [data-testid=error]).
 */

type Child = Node | string | null | undefined | false;

/** Creates an element with attributes (strings), properties for `on*` handlers, and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined | ((ev: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c) el.append(c);
  return el;
}

/** Makes a non-button element act like one: focusable, Enter/Space activate it. */
export function activateOnKey(el: Element, fn: (ev: Event) => void): void {
  el.addEventListener('keydown', (ev) => {
    const k = (ev as KeyboardEvent).key;
    if (k === 'Enter' || k === ' ') {
      ev.preventDefault();
      fn(ev);
    }
  });
}

/** The root every view draws into. */
export function appRoot(): HTMLElement {
  const app = document.getElementById('app');
  if (!app) throw new Error('no #app element');
  return app;
}

/** The error line of the view (data-testid="error"); empty hides it. */
export function errorLine(): HTMLElement {
  let el = document.querySelector<HTMLElement>('[data-testid="error"]');
  if (!el) {
    el = h('div', { class: 'error', 'data-testid': 'error', role: 'alert' });
    appRoot().prepend(el);
  }
  return el;
}

export function showError(message: string): void {
  errorLine().textContent = message;
}

/** Marks the view as drawn once (tests wait for #app[data-ready=true]). */
export function markReady(): void {
  appRoot().dataset.ready = 'true';
}

export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

/** Calls `fn` once activity has been quiet for `ms` (parameter sliders). */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => {
    if (t !== undefined) clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}
