/**
 * End-to-end harness: a real editor (code-server 4.100.3, installed by scripts/e2e-setup.mjs) with the
 * built extension, driven through Debian's Chromium by playwright-core. Everything lives in a temp dir
 * (HOME, XDG_*, user data, extensions, a fresh copy of the workspace) and talks only to loopback.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

export const repoRoot = path.resolve(__dirname, '../..');
export const artifactsDir = path.join(repoRoot, 'test', 'e2e', 'artifacts');
const codeServerEntry = path.join(
  repoRoot,
  '.cache',
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);
const CHROMIUM = process.env.TOPOSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Editor {
  page: Page;
  /** The temp copy of the workspace the editor has open. */
  workspace: string;
  /** Right-clicks the file (path relative to the workspace) in the Explorer and clicks the menu entry. */
  explorerCommand(relPath: string, commandTitle: string): Promise<void>;
  /** Runs a command from the command palette by its title ("TopoScope: Show Log", or a pattern). */
  paletteCommand(title: string | RegExp): Promise<void>;
  /**
   * Developer: Reload Window, returning once the new workbench has loaded and TopoScope has activated
   * (an orderly shutdown first: the workbench flushes its storage, panels' state included).
   */
  reloadWindow(): Promise<void>;
  /** Opens a file (relative path) in its default editor through Quick Open. */
  openFile(relPath: string): Promise<void>;
  /**
   * The content of the webview whose document title is `title` (or ends in `: title`, as "Mapper: x.npy"),
   * waiting up to `timeout` for it to exist; a visible one is preferred when several match.
   */
  webview(title: string, timeout?: number): Promise<FrameLocator>;
  /** The content of the n-th webview in the page (a lazy locator). */
  webviewAt(index: number): FrameLocator;
  /** Picks the quick-pick item whose label or description contains `text`; false when none is open. */
  answerQuickPick(text: string | RegExp): Promise<boolean>;
  /** How many of this editor's extension host and TopoScope worker processes map a library named `name`. */
  processesMapping(name: string): { extensionHosts: number; workers: number };
  /** Saves a PNG of the window under test/e2e/artifacts/ and returns its path. */
  screenshot(name: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The built extension, linked into the extensions dir the way an installed VSIX lays it out. */
function installExtension(extensionsDir: string): void {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  const dir = path.join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  for (const entry of ['package.json', 'dist', 'media'])
    symlinkSync(path.join(repoRoot, entry), path.join(dir, entry));
  for (const pkg of ['onnxruntime-node', 'onnxruntime-common']) {
    symlinkSync(path.join(repoRoot, 'node_modules', pkg), path.join(dir, 'node_modules', pkg));
  }
}

function writeUserSettings(userDataDir: string): void {
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'workbench.enableExperiments': false,
    'chat.disableAIFeatures': true,
    'window.commandCenter': false,
    'git.enabled': false,
  };
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

function waitForServer(proc: ChildProcess, port: number, log: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${log.join('')}`)), 60_000);
    const onData = (d: Buffer) => {
      log.push(d.toString());
      if (log.join('').includes(`127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code}:\n${log.join('')}`));
    });
  });
}

export interface StartOptions {
  /** Install this VSIX with code-server's --install-extension instead of linking the built repo. */
  vsix?: string;
}

/** Starts code-server on a fresh copy of `workspaceDir` with the built extension, and opens it in Chromium. */
export async function startEditor(workspaceDir: string, opts: StartOptions = {}): Promise<Editor> {
  if (!existsSync(codeServerEntry))
    throw new Error('code-server is not installed: run node scripts/e2e-setup.mjs');
  if (!opts.vsix && !existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    throw new Error('build first: npm run build');
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'toposcope-e2e-'));
  const dirs = Object.fromEntries(
    ['home', 'data', 'extensions', 'config', 'cache', 'runtime'].map((d) => [d, path.join(tmp, d)]),
  );
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  const workspace = path.join(tmp, 'workspace');
  cpSync(workspaceDir, workspace, { recursive: true });
  const env = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: dirs.runtime,
    // Nothing leaves loopback: the marketplace points at a closed local port.
    EXTENSIONS_GALLERY: JSON.stringify({
      serviceUrl: 'http://127.0.0.1:9/gallery',
      itemUrl: 'http://127.0.0.1:9/item',
    }),
  };
  const dataArgs = ['--user-data-dir', dirs.data, '--extensions-dir', dirs.extensions];
  if (opts.vsix) {
    execFileSync(process.execPath, [codeServerEntry, ...dataArgs, '--install-extension', opts.vsix], {
      env,
      stdio: 'pipe',
    });
  } else installExtension(dirs.extensions);
  writeUserSettings(dirs.data);
  const configFile = path.join(dirs.config, 'code-server.yaml');
  const port = await freePort();
  writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const log: string[] = [];
  const server = spawn(
    process.execPath,
    [
      codeServerEntry,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-workspace-trust',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-getting-started-override',
      ...dataArgs,
      '--config',
      configFile,
      workspace,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close().catch(() => undefined);
    if (server.exitCode === null && server.pid) {
      const exited = new Promise((r) => server.once('exit', r));
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  try {
    await waitForServer(server, port, log);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    // The status bar entry appears once activate() ran: commands and editors are registered by then.
    await page.locator('.statusbar-item', { hasText: 'TopoScope' }).first().waitFor({ timeout: 60_000 });
    return makeEditor(page, workspace, server.pid ?? -1, stop);
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Processes descending from `root` (Linux /proc), with their command lines. */
function descendants(root: number): { pid: number; cmdline: string }[] {
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return [{ pid: Number(d), ppid, cmdline }];
      } catch {
        return [];
      }
    });
  const found = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => found.has(p.pid) && p.pid !== root);
}

function makeEditor(page: Page, workspace: string, serverPid: number, stop: () => Promise<void>): Editor {
  const quickInput = page.locator('.quick-input-widget');

  const menu = page.locator('.context-view.monaco-menu-container').filter({ visible: true });

  /** Whether `what` disappears within `ms`. */
  async function gone(what: Locator, ms: number): Promise<boolean> {
    return what
      .first()
      .waitFor({ state: 'hidden', timeout: ms })
      .then(() => true)
      .catch(() => false);
  }

  /** An open context menu covers the workbench and swallows every click: close it. */
  async function dismissMenus() {
    for (let i = 0; i < 3 && (await menu.count()) > 0; i++) await page.keyboard.press('Escape');
  }

  /** Keys typed while a webview has focus go to the webview: give the focus back to the workbench. */
  async function focusWorkbench() {
    await dismissMenus();
    await page.locator('.part.sidebar .composite.title').first().click();
    await page.keyboard.press('Escape');
  }

  /** Opens a quick input with `key` and types `text` into it. */
  async function quickInputType(key: string, text: string) {
    await focusWorkbench();
    await page.keyboard.press(key);
    const input = quickInput.locator('input.input');
    await input.waitFor();
    await input.fill(text);
  }

  /** The Explorer row called `name`, once rendered (the tree renders only the rows in its viewport). */
  async function explorerRow(name: string, timeout: number) {
    const row = page.locator('.explorer-folders-view').getByRole('treeitem', { name, exact: true }).first();
    await row.waitFor({ timeout });
    return row;
  }

  async function expandTo(parts: string[], timeout: number) {
    for (let i = 0; i < parts.length - 1; i++) {
      const row = await explorerRow(parts[i], timeout);
      if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    }
    return explorerRow(parts[parts.length - 1], timeout);
  }

  /**
   * The row of a workspace file. A row scrolled out of view (below an expanded folder of thousands of
   * files) is not rendered: then collapse every folder and expand just the path.
   */
  async function revealInExplorer(relPath: string) {
    const parts = relPath.split('/');
    try {
      return await expandTo(parts, 3_000);
    } catch {
      await runPalette('Collapse Folders in Explorer');
      return expandTo(parts, 20_000);
    }
  }

  async function runPalette(title: string | RegExp) {
    const query = typeof title === 'string' ? title : title.source.replace(/[\\()|?*+.…]+/g, ' ').trim();
    await quickInputType('F1', `>${query}`);
    const row = quickInput.locator('.monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
  }

  return {
    page,
    workspace,
    async explorerCommand(relPath, commandTitle) {
      const label = commandTitle.replace(/^TopoScope:\s*/, '');
      const item = page
        .locator('.monaco-menu .action-item')
        .filter({ hasText: new RegExp(`^(TopoScope: )?${escapeRegExp(label)}`) })
        .first();
      // The menu's `when` clauses read context keys the extension sets on activation: a menu opened
      // before then lacks the entry, so close it and ask again.
      for (let attempt = 0; ; attempt++) {
        await dismissMenus();
        const row = await revealInExplorer(relPath);
        // A right-click selects the row without opening the file in a preview editor.
        await row.click({ button: 'right' });
        try {
          await item.click({ timeout: 10_000 });
          // On a loaded machine a click can land while the menu is still settling and be ignored;
          // the hovered entry is then the focused one, and Enter runs it.
          if (await gone(menu, 2_000)) return;
          await item.hover();
          await page.keyboard.press('Enter');
          if (await gone(menu, 2_000)) return;
          throw new Error(`the menu entry ${label} did not run`);
        } catch (e) {
          if (attempt === 3) {
            await dismissMenus();
            throw e;
          }
        }
      }
    },
    paletteCommand: runPalette,
    async reloadWindow() {
      const loaded = page.waitForEvent('load', { timeout: 60_000 });
      await runPalette('Developer: Reload Window');
      await loaded;
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.statusbar-item', { hasText: 'TopoScope' }).first().waitFor({ timeout: 60_000 });
    },
    async openFile(relPath) {
      await quickInputType('Control+P', relPath);
      await quickInput
        .locator('.monaco-list-row', { hasText: path.basename(relPath) })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
    },
    async webview(title, timeout = 60_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const frames = page.locator('iframe.webview.ready');
        const matches: { frame: Locator; visible: boolean }[] = [];
        for (let i = 0, n = await frames.count(); i < n; i++) {
          const frame = frames.nth(i);
          const text = await content(frame)
            .locator('title')
            .textContent({ timeout: 250 })
            .catch(() => null);
          if (text === title || text?.endsWith(`: ${title}`)) {
            matches.push({ frame, visible: await frame.isVisible() });
          }
        }
        const best = matches.find((m) => m.visible) ?? matches[0];
        if (best) return content(await pinned(best.frame));
        if (Date.now() > deadline) {
          const shot = path.join(artifactsDir, `no-webview-${title.replace(/[^\w.-]+/g, '_')}.png`);
          mkdirSync(artifactsDir, { recursive: true });
          await page.screenshot({ path: shot }).catch(() => undefined);
          throw new Error(`no webview titled ${title} (the window then: ${shot})`);
        }
        await page.waitForTimeout(250);
      }
    },
    webviewAt(index) {
      return content(page.locator('iframe.webview.ready').nth(index));
    },
    async answerQuickPick(text) {
      if (!(await quickInput.isVisible())) return false;
      const row = quickInput.locator('.monaco-list-row').filter({ hasText: text }).first();
      if ((await row.count()) === 0) return false;
      // A click while the list is still settling can be lost: click until the pick is taken.
      for (let attempt = 0; attempt < 3; attempt++) {
        await row.click().catch(() => undefined);
        if (await gone(row, 1_500)) return true;
      }
      return false;
    },
    processesMapping(name) {
      const maps = (pid: number) => {
        try {
          return readFileSync(`/proc/${pid}/maps`, 'utf8').includes(name);
        } catch {
          return false;
        }
      };
      const procs = descendants(serverPid);
      const hosts = procs.filter((p) => p.cmdline.includes('--type=extensionHost'));
      if (hosts.length === 0) throw new Error('no extension host process found');
      const workers = procs.filter((p) => /dist[/\\]worker\.js/.test(p.cmdline));
      return {
        extensionHosts: hosts.filter((p) => maps(p.pid)).length,
        workers: workers.filter((p) => maps(p.pid)).length,
      };
    },
    async screenshot(name) {
      mkdirSync(artifactsDir, { recursive: true });
      const file = path.join(artifactsDir, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    stop,
  };
}

/** The document inside a webview's outer iframe (VS Code nests the view's page in #active-frame). */
function content(frame: Locator): FrameLocator {
  return frame.contentFrame().frameLocator('#active-frame');
}

/** A locator that keeps naming the same iframe when other webviews open or close (by its unique name). */
async function pinned(frame: Locator): Promise<Locator> {
  const name = await frame.getAttribute('name');
  return name ? frame.page().locator(`iframe.webview.ready[name="${name}"]`) : frame;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
