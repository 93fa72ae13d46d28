/**
 * The webview's side of the channel. Inside VS Code it wraps acquireVsCodeApi; in the static HTML report
 * (no extension) it answers what it can locally: saves become downloads, requests for live work are
 * reported as unavailable. Every message is validated on arrival and before it leaves, with the protocol
 * the view passes in (the shared one, or the polytope panel's).
 */
import {
  parseHostMessage,
  parseViewMessage,
  type HostMessage,
  type SaveMessage,
  type ViewMessage,
} from './protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface Channel<H, V> {
  /** True in the static report: there is no extension to answer. */
  readonly standalone: boolean;
  /** The JSON handed over in the page's `data-state` attribute. */
  readonly initialState: unknown;
  post(msg: V): void;
  onMessage(handler: (msg: H) => void): void;
  /** UI state persisted across reloads (webview setState; a no-op in the report). */
  getState<T>(): T | undefined;
  setState(state: unknown): void;
}

/** How one protocol's messages are checked. `save` must be the shared saveMessage, which the report downloads. */
export interface ChannelProtocol<H, V extends { type: string }> {
  parseHost(v: unknown): H;
  parseView(v: unknown): V;
  /** Undoes a transport encoding of host messages before they are validated (polytope: packed typed arrays). */
  decode?(data: unknown): unknown;
}

export type ViewHost = Channel<HostMessage, ViewMessage>;

let instance: ViewHost | undefined;

/** The channel of the mapper, compare and model-flow views (and shared/export.ts), one per page. */
export function connectHost(): ViewHost {
  instance ??= connectChannel({ parseHost: parseHostMessage, parseView: parseViewMessage });
  return instance;
}

/** acquireVsCodeApi may be called only once per page. */
let api: VsCodeApi | undefined;

export function connectChannel<H, V extends { type: string }>(
  protocol: ChannelProtocol<H, V>,
): Channel<H, V> {
  if (typeof acquireVsCodeApi !== 'function') return standaloneChannel(protocol);
  api ??= acquireVsCodeApi();
  return vscodeChannel(api, protocol);
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

function vscodeChannel<H, V extends { type: string }>(
  api: VsCodeApi,
  protocol: ChannelProtocol<H, V>,
): Channel<H, V> {
  const handlers: ((msg: H) => void)[] = [];
  window.addEventListener('message', (ev: MessageEvent) => {
    let msg: H;
    try {
      msg = protocol.parseHost(protocol.decode ? protocol.decode(ev.data) : ev.data);
    } catch (err) {
      console.warn(`TopoScope: ignored an invalid message: ${(err as Error).message}`);
      return;
    }
    for (const h of handlers) h(msg);
  });
  return {
    standalone: false,
    initialState: readInitialState(),
    post: (msg) => api.postMessage(protocol.parseView(msg)),
    onMessage: (h) => void handlers.push(h),
    getState: <T>() => (api.getState() ?? undefined) as T | undefined,
    setState: (s) => api.setState(s),
  };
}

function standaloneChannel<H, V extends { type: string }>(protocol: ChannelProtocol<H, V>): Channel<H, V> {
  return {
    standalone: true,
    initialState: readInitialState(),
    post: (msg) => {
      const m = protocol.parseView(msg);
      if (isSave(m)) download(m.name, m.data, m.encoding, mimeOf(m.format));
    },
    onMessage: () => undefined,
    getState: () => undefined,
    setState: () => undefined,
  };
}

/** Sound because every protocol's `save` variant is the shared saveMessage validator, already applied. */
function isSave(m: { type: string }): m is SaveMessage {
  return m.type === 'save';
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
