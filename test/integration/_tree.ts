// Reading the Context Pool tree from tests: nodes, their tree items, labels.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { TreeNode } from '../../src/surfaces/contextTree/provider';
import type { api } from './_extension';

export type { TreeNode };

export type Api = Awaited<ReturnType<typeof api>>;

export async function children(a: Api, node?: TreeNode): Promise<TreeNode[]> {
  return (await a._test.tree.provider.getChildren(node)) ?? [];
}

export function item(a: Api, node: TreeNode): vscode.TreeItem {
  return a._test.tree.provider.getTreeItem(node) as vscode.TreeItem;
}

export function label(a: Api, node: TreeNode): string {
  const l = item(a, node).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

export async function contextNode(a: Api, id: string): Promise<TreeNode> {
  const pools = await children(a);
  const pool = pools.find((p) => p.kind === 'pool' && p.name === id.split(':')[0]);
  assert.ok(pool, `no pool for ${id}`);
  const ctx = (await children(a, pool)).find((c) => c.kind === 'context' && c.ctx.id === id);
  assert.ok(ctx, `no context ${id}`);
  return ctx;
}

export async function documentNode(a: Api, ctxId: string, uri: vscode.Uri): Promise<TreeNode | undefined> {
  const docs = await children(a, await contextNode(a, ctxId));
  return docs.find((d) => d.kind === 'document' && d.proc.id === uri.toString());
}

export async function variables(a: Api, node: TreeNode): Promise<Map<string, { node: TreeNode; description: string }>> {
  const out = new Map<string, { node: TreeNode; description: string }>();
  for (const v of await children(a, node)) {
    out.set(label(a, v), { node: v, description: String(item(a, v).description ?? '') });
  }
  return out;
}

