/**
 * The polytope view's end of the webview channel: the VS Code API when inside the editor, else the static
 * report (no host: saves become downloads, live recomputation is unavailable). Both directions are
 * validated with the polytope protocol. webview/shared/host.ts does the same for the shared protocol only.
 */
import {
  parsePolytopeHostMessage,
  parsePolytopeViewMessage,
  type PolytopeHostMessage,
  type PolytopeViewMessage,
} from './protocol';
import { unpackTyped } from './typed-transport';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface PolytopeChannel {
  readonly standalone: boolean;
  readonly initialState: unknown;
  post(msg: PolytopeViewMessage): void;
  onMessage(handler: (msg: PolytopeHostMessage) => void): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export function connectPolytopeChannel(): PolytopeChannel {
  const initialState = readInitialState();
  if (typeof acquireVsCodeApi !== 'function') {
    return {
      standalone: true,
      initialState,
      post: (msg) => {
        const m = parsePolytopeViewMessage(msg);
        if (m.type === 'save') download(m.name, m.data, m.encoding);
      },
      onMessage: () => undefined,
      getState: () => undefined,
      setState: () => undefined,
    };
  }
  const api = acquireVsCodeApi();
  const handlers: ((msg: PolytopeHostMessage) => void)[] = [];
  window.addEventListener('message', (ev: MessageEvent) => {
    let msg: PolytopeHostMessage;
    try {
      msg = parsePolytopeHostMessage(unpackTyped(ev.data));
    } catch (err) {
      console.warn(`TopoScope: ignored an invalid message: ${(err as Error).message}`);
      return;
    }
    for (const h of handlers) h(msg);
  });
  return {
    standalone: false,
    initialState,
    post: (msg) => api.postMessage(parsePolytopeViewMessage(msg)),
    onMessage: (h) => void handlers.push(h),
    getState: () => api.getState() ?? undefined,
    setState: (s) => api.setState(s),
  };
}

function readInitialState(): unknown {
  try {
    return JSON.parse(document.body.dataset.state ?? 'null');
  } catch {
    return null;
  }
}

function download(name: string, data: string, encoding: 'utf8' | 'base64'): void {
  const bytes = encoding === 'base64' ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0)) : data;
  const url = URL.createObjectURL(new Blob([bytes]));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
