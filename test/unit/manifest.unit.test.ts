/**
 * The extension manifest (package.json `contributes`) against the code: every command is
 * registered under the same id, guarded in the palette, and every tree menu's `viewItem`
 * regex matches the capability flags the tree really produces.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Commands, VIEW_CONTEXT_POOL, VIEW_PLOTS } from '../../src/manifest/ids';
import { contextFlags, documentFlags, variableFlags } from '../../src/surfaces/contextTree/model';
import type { ContextStats } from '../../src/engine/types';

const root = path.resolve(__dirname, '../../..');

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}
interface Manifest {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: string | boolean; description?: string } };
  icon: string;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    keybindings: { command: string; key: string; when: string }[];
    menus: Record<string, MenuItem[]>;
    configuration: { properties: Record<string, { scope?: string; default?: unknown }> };
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    views: Record<string, { id: string }[]>;
  };
}

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const c = manifest.contributes;

const idle: ContextStats = { busy: false, queued: 0, calls: 0, environments: 0, busyForMs: 0 };
const busy: ContextStats = { ...idle, busy: true, busyForMs: 10 };
/** Every contextValue the tree can produce for contexts and documents. */
const FLAGS = [
  ...[idle, busy].flatMap((s) => [true, false].map((b) => contextFlags(s, { activeCanBind: b }))),
  ...[true, false].flatMap((bound) => [true, false].map((env) => documentFlags({ bound, hasEnvironment: env }))),
  ...[true, false].map((viewable) => variableFlags({ viewable })),
];

function viewItemRegex(when: string): RegExp | undefined {
  const m = /viewItem =~ \/(.*?)\/(?:\s|$)/.exec(when);
  return m ? new RegExp(m[1] ?? '') : undefined;
}

describe('manifest', () => {
  const ids = Object.values(Commands) as string[];

  it('contributes exactly the commands the code registers, all prefixed pyContexts.', () => {
    // The notebook surface registers its own pyContexts.notebook.* commands.
    const contributed = c.commands.map((x) => x.command).filter((id) => !id.startsWith('pyContexts.notebook.')).sort();
    assert.deepEqual(contributed, [...ids].sort());
    for (const cmd of c.commands) {
      assert.match(cmd.command, /^pyContexts\./);
      assert.equal(cmd.category, 'Py Contexts');
    }
  });

  it('guards every command in the palette with a when clause', () => {
    const palette = new Map(c.menus['commandPalette']?.map((m) => [m.command, m.when]));
    for (const id of c.commands.map((x) => x.command)) {
      if (id === Commands.showOutput || id === Commands.openSettings) continue;
      assert.ok(palette.get(id), `${id} has no commandPalette when-clause`);
    }
  });

  it('binds Shift+Enter only in Python editors, behind its setting', () => {
    const kb = c.keybindings.find((k) => k.command === Commands.runSelection);
    assert.ok(kb);
    assert.equal(kb.key, 'shift+enter');
    assert.match(kb.when, /editorLangId == python/);
    assert.match(kb.when, /config\.pyContexts\.runSelection\.enableShiftEnter/);
    assert.match(kb.when, /!notebookEditorFocused/);
  });

  it('has the settings, with the interpreter path machine-scoped', () => {
    const p = c.configuration.properties;
    assert.equal(p['pyContexts.pythonPath']?.scope, 'machine');
    assert.deepEqual(p['pyContexts.pools']?.default, { default: 2 });
    assert.equal(p['pyContexts.runSelection.inlineResults']?.default, true);
    assert.equal(p['pyContexts.runSelection.enableShiftEnter']?.default, true);
  });

  it('matches every tree menu regex against flags the tree really produces', () => {
    const items = c.menus['view/item/context'] ?? [];
    assert.ok(items.length > 0);
    for (const item of items) {
      assert.match(item.when ?? '', new RegExp(`view == ${VIEW_CONTEXT_POOL.replace('.', '\\.')}`));
      const re = viewItemRegex(item.when ?? '');
      assert.ok(re, `${item.command}: no viewItem regex`);
      assert.ok(FLAGS.some((f) => re.test(f)), `${item.command}: ${String(re)} matches no flags`);
      assert.ok(!FLAGS.every((f) => re.test(f)), `${item.command}: ${String(re)} matches everything`);
    }
    const interrupt = items.filter((i) => i.command === Commands.interrupt).map((i) => viewItemRegex(i.when ?? '')!);
    for (const re of interrupt) {
      assert.ok(re.test(contextFlags(busy, { activeCanBind: false })));
      assert.ok(!re.test(contextFlags(idle, { activeCanBind: true })), 'interrupt offered on an idle context');
    }
  });

  it('activates lazily and declares limited support for untrusted workspaces', () => {
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.ok(manifest.activationEvents.includes('onLanguage:python'));
    assert.ok(manifest.activationEvents.includes('onNotebook:jupyter-notebook'));
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(manifest.capabilities.untrustedWorkspaces.description);
  });

  it('has its view in its own activity bar container, and the icons exist', () => {
    assert.equal(c.viewsContainers.activitybar[0]?.id, 'pyContexts');
    assert.deepEqual(c.views['pyContexts']?.map((v) => v.id), [VIEW_CONTEXT_POOL, VIEW_PLOTS]);
    for (const f of [manifest.icon, c.viewsContainers.activitybar[0]!.icon, 'media/pool-light.svg', 'media/pool-dark.svg']) {
      assert.ok(existsSync(path.join(root, f)), `${f} is missing`);
    }
  });
});
