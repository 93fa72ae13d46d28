/**
 * The polytope view's end of the webview channel: the shared channel (webview/shared/host.ts) with the
 * polytope protocol, and host messages unpacked from their base64 typed arrays before they are validated.
 */
import { connectChannel, type Channel } from '../shared/host';
import {
  parsePolytopeHostMessage,
  parsePolytopeViewMessage,
  type PolytopeHostMessage,
  type PolytopeViewMessage,
} from './protocol';
import { unpackTyped } from './typed-transport';

export type PolytopeChannel = Channel<PolytopeHostMessage, PolytopeViewMessage>;

export function connectPolytopeChannel(): PolytopeChannel {
  return connectChannel({
    parseHost: parsePolytopeHostMessage,
    parseView: parsePolytopeViewMessage,
    decode: unpackTyped,
  });
}
