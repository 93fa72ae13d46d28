/**
 * What the mapper and comparison panels do alike: draw the data the page was handed (the report, or a
 * restored panel) or else ask the host for it, show the host's progress, busy and error messages in one
 * status line, and offer "Save analysis" where a host can write the spec.
 */
import { h, markReady, showError } from './dom';
import { connectHost } from './host';
import type { HostMessage } from './protocol';
import type { Validator } from './schema';

/** Renders `data` from the page if there is any (a parse error is shown, not thrown), else asks the host. */
export function startView<T>(
  data: unknown,
  parse: Validator<T>,
  render: (d: T) => void,
  status: HTMLElement,
): void {
  if (!data) {
    status.textContent = 'computing…';
    connectHost().post({ type: 'ready' });
    return;
  }
  try {
    render(parse(data, 'data'));
  } catch (err) {
    showError((err as Error).message);
    markReady();
  }
}

/** Shows a progress, busy or error message (errors also in the error line); false for any other message. */
export function showHostStatus(status: HTMLElement, msg: HostMessage): boolean {
  switch (msg.type) {
    case 'progress':
      status.textContent = `${msg.message ?? 'computing'} ${Math.round(msg.fraction * 100)}%`;
      return true;
    case 'busy':
      status.textContent = msg.busy ? (msg.message ?? 'computing…') : '';
      return true;
    case 'error':
      status.textContent = '';
      showError(msg.message);
      // a view that failed before its first render is still "drawn" for the tests waiting on it
      markReady();
      return true;
    default:
      return false;
  }
}

/** "Save analysis": the host writes a *.toposcope.json spec that reopens `what`; hidden in the report. */
export function saveAnalysisButton(live: boolean, what: string): HTMLElement {
  const b = h(
    'button',
    { title: `Write a *.toposcope.json spec that reopens this ${what}` },
    'Save analysis',
  );
  b.hidden = !live;
  b.addEventListener('click', () => connectHost().post({ type: 'saveSpec' }));
  return b;
}
