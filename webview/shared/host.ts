/**
 * The webview's side of the channel. Inside VS Code it wraps acquireVsCodeApi; in the static HTML report
 * (no extension) it answers what it can locally: saves become downloads, requests for live work are
 * reported as unavailable. Every message is validated on arrival and before it leaves.
 */
import { parseHostMessage, parseViewMessage, type HostMessage, type ViewMessage } from './protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface ViewHost {
  /** True in the static report: there is no extension to answer. */
  readonly standalone: boolean;
  /** The JSON handed over in the page's `data-state` attribute. */
  readonly initialState: unknown;
  post(msg: ViewMessage): void;
  onMessage(handler: (msg: HostMessage) => void): void;
  /** UI state persisted across reloads (webview setState; a no-op in the report). */
  getState<T>(): T | undefined;
  setState(state: unknown): void;
}

let instance: ViewHost | undefined;

export function connectHost(): ViewHost {
  instance ??= typeof acquireVsCodeApi === 'function' ? vscodeHost(acquireVsCodeApi()) : standaloneHost();
  return instance;
}

function readInitialState(): unknown {
  const raw = document.body.dataset.state;
  if (!raw) return null;
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function vscodeHost(api: VsCodeApi): ViewHost {
  const handlers: ((msg: HostMessage) => void)[] = [];
  window.addEventListener('message', (ev: MessageEvent) => {
    let msg: HostMessage;
    try {
      msg = parseHostMessage(ev.data);
    } catch (err) {
      console.warn(`TopoScope: ignored an invalid message: ${(err as Error).message}`);
      return;
    }
    for (const h of handlers) h(msg);
  });
  return {
    standalone: false,
    initialState: readInitialState(),
    post: (msg) => api.postMessage(parseViewMessage(msg)),
    onMessage: (h) => void handlers.push(h),
    getState: <T>() => (api.getState() ?? undefined) as T | undefined,
    setState: (s) => api.setState(s),
  };
}

function standaloneHost(): ViewHost {
  return {
    standalone: true,
    initialState: readInitialState(),
    post: (msg) => {
      const m = parseViewMessage(msg);
      if (m.type === 'save') download(m.name, m.data, m.encoding, mimeOf(m.format));
    },
    onMessage: () => undefined,
    getState: () => undefined,
    setState: () => undefined,
  };
}

function mimeOf(format: string): string {
  return (
    { png: 'image/png', svg: 'image/svg+xml', json: 'application/json', csv: 'text/csv' }[format] ??
    'application/octet-stream'
  );
}

function download(name: string, data: string, encoding: 'utf8' | 'base64', mime: string): void {
  const bytes = encoding === 'base64' ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0)) : data;
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
