/**
 * The HTML shell shared by the static report's pages and the editor's webviews, so both get the same head
 * (a CSP meta first) and a view page is started the same way: the #app root, the initial state as JSON in
 * `data-state` (never interpolated into script) and the view's bundle loaded by nonce.
 */

export interface HtmlPageOptions {
  /** The Content-Security-Policy, as the meta tag's content. */
  csp: string;
  title: string;
  /** Markup added to <head> before the title (the editor's stylesheet). */
  head?: string;
  /** Markup at the start of <body> (for a view page, before the #app root). */
  body?: string;
  /** Makes this a view page: the bundle's URL and nonce, and the state the view reads at start. */
  view?: { name: string; script: string; nonce: string; state: unknown };
}

export function htmlPage(o: HtmlPageOptions): string {
  const v = o.view;
  const bodyAttributes = v
    ? ` data-view="${escapeHtml(v.name)}" data-state="${escapeHtml(JSON.stringify(v.state))}"`
    : '';
  const body = [
    o.body,
    v &&
      `<div id="app" role="main"></div>\n<script nonce="${v.nonce}" src="${escapeHtml(v.script)}"></script>`,
  ]
    .filter(Boolean)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${o.csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.head ? `${o.head}\n` : ''}<title>${escapeHtml(o.title)}</title>
</head>
<body${bodyAttributes}>
${body}
</body>
</html>
`;
}

/** Text safe inside an element or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
