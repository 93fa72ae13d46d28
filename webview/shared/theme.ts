/**
 * The look of every view, from the editor's own --vscode-* variables (light, dark and high contrast follow
 * the editor), with fallbacks for the static report. Installed as a constructable stylesheet: the CSP
 * allows no inline <style>, and CSSOM sheets are not subject to style-src.
 */

const BASE_CSS = `
:root {
  --ts-bg: var(--vscode-editor-background, #ffffff);
  --ts-fg: var(--vscode-editor-foreground, #1f1f1f);
  --ts-muted: var(--vscode-descriptionForeground, #6b6b6b);
  --ts-border: var(--vscode-panel-border, var(--vscode-widget-border, #d0d0d0));
  --ts-focus: var(--vscode-focusBorder, #0078d4);
  --ts-accent: var(--vscode-textLink-foreground, #0066b8);
  --ts-button-bg: var(--vscode-button-background, #0078d4);
  --ts-button-fg: var(--vscode-button-foreground, #ffffff);
  --ts-button2-bg: var(--vscode-button-secondaryBackground, #e5e5e5);
  --ts-button2-fg: var(--vscode-button-secondaryForeground, #1f1f1f);
  --ts-input-bg: var(--vscode-input-background, #ffffff);
  --ts-input-fg: var(--vscode-input-foreground, #1f1f1f);
  --ts-input-border: var(--vscode-input-border, #cecece);
  --ts-hover: var(--vscode-list-hoverBackground, #f0f0f0);
  --ts-selected: var(--vscode-list-activeSelectionBackground, #cce4f7);
  --ts-selected-fg: var(--vscode-list-activeSelectionForeground, inherit);
  --ts-widget-bg: var(--vscode-editorWidget-background, #f8f8f8);
  --ts-error: var(--vscode-errorForeground, #c72e0f);
  --ts-true: var(--vscode-charts-green, #388a34);
  --ts-pred: var(--vscode-charts-orange, #d18616);
  --ts-font: var(--vscode-font-family, system-ui, sans-serif);
  --ts-font-size: var(--vscode-font-size, 13px);
  --ts-mono: var(--vscode-editor-font-family, monospace);
}
@media (prefers-color-scheme: dark) {
  body:not([class*='vscode-']) {
    --ts-bg: #1e1e1e; --ts-fg: #d4d4d4; --ts-muted: #9d9d9d; --ts-border: #3c3c3c; --ts-hover: #2a2d2e;
    --ts-selected: #04395e; --ts-widget-bg: #252526; --ts-input-bg: #3c3c3c; --ts-input-fg: #d4d4d4;
    --ts-button2-bg: #3a3d41; --ts-button2-fg: #d4d4d4; --ts-accent: #3794ff;
  }
}
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; height: 100%; }
body { display: flex; flex-direction: column; background: var(--ts-bg); color: var(--ts-fg); font-family: var(--ts-font); font-size: var(--ts-font-size); }
#app { display: flex; flex-direction: column; flex: 1; min-height: 0; }
body > nav { padding: 2px 8px; }
:focus-visible { outline: 2px solid var(--ts-focus); outline-offset: 1px; }
button, select, input { font: inherit; color: inherit; }
button {
  background: var(--ts-button2-bg); color: var(--ts-button2-fg); border: 1px solid var(--ts-border);
  border-radius: 2px; padding: 2px 8px; cursor: pointer;
}
button.primary { background: var(--ts-button-bg); color: var(--ts-button-fg); }
button:disabled { opacity: 0.5; cursor: default; }
select, input[type=text], input[type=number], input[type=search] {
  background: var(--ts-input-bg); color: var(--ts-input-fg); border: 1px solid var(--ts-input-border);
  padding: 2px 4px; border-radius: 2px;
}
input[type=number] { width: 5.5em; }
input[type=range] { accent-color: var(--ts-focus); }
label { display: inline-flex; align-items: center; gap: 4px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 6px 8px;
  border-bottom: 1px solid var(--ts-border); }
.toolbar .group { display: inline-flex; gap: 6px; align-items: center; }
.muted { color: var(--ts-muted); }
.error { color: var(--ts-error); padding: 6px 8px; white-space: pre-wrap; }
.error:empty { display: none; }
.stat { font-variant-numeric: tabular-nums; }
.split { display: flex; flex: 1; min-height: 0; }
.main { flex: 1; position: relative; min-width: 0; min-height: 0; }
.side { width: 340px; border-left: 1px solid var(--ts-border); display: flex; flex-direction: column;
  min-height: 0; overflow: auto; }
.side section { padding: 6px 8px; border-bottom: 1px solid var(--ts-border); }
.side h2, .panel h2 { font-size: 1em; margin: 0 0 4px 0; font-weight: 600; }
svg text { fill: var(--ts-fg); }
.graph svg { width: 100%; height: 100%; display: block; }
.node { cursor: pointer; }
.node .ring { fill: none; stroke: var(--ts-bg); stroke-width: 1; }
.node.selected .ring { stroke: var(--ts-focus); stroke-width: 3; }
.node.match .ring { stroke: var(--ts-accent); stroke-width: 2; stroke-dasharray: 3 2; }
.node:focus { outline: none; }
.node:focus-visible .ring { stroke: var(--ts-focus); stroke-width: 3; }
.edge { stroke: var(--ts-muted); stroke-opacity: 0.5; }
.edge.selected { stroke: var(--ts-focus); stroke-opacity: 1; }
.dim { opacity: 0.25; }
.tooltip { position: absolute; pointer-events: none; background: var(--ts-widget-bg); color: var(--ts-fg);
  border: 1px solid var(--ts-border); padding: 4px 6px; border-radius: 3px; font-size: 12px; max-width: 280px;
  z-index: 10; }
.tooltip[hidden] { display: none; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 10px; padding: 4px 8px; font-size: 12px; }
.legend .swatch { display: inline-block; width: 10px; height: 10px; margin-right: 3px; border-radius: 2px;
  vertical-align: middle; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(64px, 1fr)); gap: 6px; }
.sample { display: flex; flex-direction: column; align-items: center; border: 1px solid transparent;
  padding: 2px; cursor: pointer; background: none; border-radius: 2px; }
.sample:hover { background: var(--ts-hover); }
.sample[aria-pressed='true'] { border-color: var(--ts-focus); }
.sample img { width: 56px; height: 56px; image-rendering: pixelated; object-fit: contain; }
.sample .tags { font-size: 11px; display: flex; gap: 4px; }
.tag-true { color: var(--ts-true); font-weight: 600; }
.tag-pred { color: var(--ts-pred); font-weight: 600; }
.vtable { position: relative; overflow: auto; flex: 1; min-height: 120px; }
.vtable .row { display: grid; position: absolute; left: 0; right: 0; height: 22px; align-items: center;
  padding: 0 6px; cursor: pointer; font-variant-numeric: tabular-nums; }
.vtable .row:hover { background: var(--ts-hover); }
.vtable .row.selected { background: var(--ts-selected); color: var(--ts-selected-fg); }
.vtable .row:focus-visible { outline: 2px solid var(--ts-focus); outline-offset: -2px; }
.vtable-head { display: grid; padding: 0 6px; font-weight: 600; border-bottom: 1px solid var(--ts-border); }
.vtable-head button { background: none; border: none; padding: 2px 0; text-align: left; font-weight: 600; }
.chart svg { display: block; }
.axis path, .axis line { stroke: var(--ts-muted); }
.axis text { fill: var(--ts-muted); }
.grid-sets { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 8px; padding: 8px;
  overflow: auto; flex: 1; }
.set-card { border: 1px solid var(--ts-border); border-radius: 3px; display: flex; flex-direction: column;
  height: 340px; }
.set-card header { padding: 4px 6px; display: flex; justify-content: space-between; gap: 6px;
  border-bottom: 1px solid var(--ts-border); }
.set-card .graph { flex: 1; min-height: 0; position: relative; }
.form { padding: 8px 12px; display: grid; grid-template-columns: max-content 1fr; gap: 8px 12px;
  align-items: center; max-width: 720px; }
progress { width: 200px; }
@media (max-width: 900px) {
  .split { flex-direction: column; }
  .split > .main { min-height: 320px; }
  .side { width: auto; max-height: 45%; border-left: none; border-top: 1px solid var(--ts-border); }
}
body.vscode-high-contrast .edge, body.vscode-high-contrast-light .edge { stroke-opacity: 1; }
body.vscode-high-contrast .node .ring, body.vscode-high-contrast-light .node .ring {
  stroke: var(--vscode-contrastBorder, var(--ts-fg)); }
`;

let installed = false;

/** Installs the shared stylesheet (and a view's own rules) once per document. */
export function installTheme(extraCss = ''): void {
  if (installed) return;
  installed = true;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(BASE_CSS + extraCss);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

/** Reads a resolved colour of the current theme (for canvas drawing and exports). */
export function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}
