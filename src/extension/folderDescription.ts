import * as path from 'node:path';
import * as vscode from 'vscode';

/**
 * Where a file lives, for a QuickPick or tree description: its folder relative to the workspace; for a
 * file at a workspace folder's root, nothing (single root) or the folder's name (multi-root), since
 * asRelativePath returns a root folder itself as an absolute path.
 */
export function folderDescription(uri: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const dir = path.dirname(uri.fsPath);
  if (!folder) return dir;
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  if (path.resolve(dir) === path.resolve(folder.uri.fsPath)) return multiRoot ? folder.name : '';
  return vscode.workspace.asRelativePath(dir, true);
}
