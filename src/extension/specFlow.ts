// Which task spec (`*.subnet.json`) to run for a model: the specs that reference it, or a guided
// QuickPick/InputBox flow that writes a new one next to the model.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSettings } from './config';
import { folderDescription } from './folderDescription';

const DATA_FILTERS = {
  'Datasets (.npz, .npy, .safetensors)': ['npz', 'npy', 'safetensors', 'NPZ', 'NPY', 'SAFETENSORS'],
};

function samePath(a: string, b: string): boolean {
  const na = path.normalize(a);
  const nb = path.normalize(b);
  return process.platform === 'win32' || process.platform === 'darwin'
    ? na.toLowerCase() === nb.toLowerCase()
    : na === nb;
}

/** Specs in the workspace whose `model` field resolves to `model`. Unreadable files are skipped. */
export async function findSpecsForModel(model: vscode.Uri): Promise<vscode.Uri[]> {
  const candidates = await vscode.workspace.findFiles('**/*.subnet.json', '**/node_modules/**');
  const found: vscode.Uri[] = [];
  for (const uri of candidates) {
    try {
      const json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as { model?: unknown };
      const modelPath = typeof json.model === 'string' ? path.resolve(path.dirname(uri.fsPath), json.model) : undefined;
      if (modelPath !== undefined && samePath(modelPath, model.fsPath)) found.push(uri);
    } catch {
      // Not JSON yet (being edited): jsonValidation shows the problem in the editor.
    }
  }
  return found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

/** The spec to use for `model`: the only one, the one picked, or a new one. Undefined when the user backs out. */
export async function chooseSpec(model: vscode.Uri): Promise<vscode.Uri | undefined> {
  const specs = await findSpecsForModel(model);
  if (specs.length === 1) return specs[0];
  const create = 'Create a task spec…';
  if (specs.length === 0) {
    const answer = await vscode.window.showInformationMessage(
      `No task spec (*.subnet.json) in this workspace refers to ${path.basename(model.fsPath)}. `
        + 'A spec names the subroutines and their train and test datasets.',
      { modal: true },
      create,
    );
    return answer === create ? createSpec(model) : undefined;
  }
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = specs.map((uri) => ({
    label: path.basename(uri.fsPath),
    description: folderDescription(uri),
    uri,
  }));
  items.push({ label: '$(new-file) ' + create, alwaysShow: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: `Task spec for ${path.basename(model.fsPath)}`, placeHolder: 'Pick the task spec to run',
  });
  if (!picked) return undefined;
  return picked.uri ?? createSpec(model);
}

function relative(from: string, to: string): string {
  const r = path.relative(from, to).split(path.sep).join('/');
  return r.startsWith('.') ? r : `./${r}`;
}

async function pickDataFile(
  title: string,
  folder: vscode.Uri,
  root: vscode.WorkspaceFolder,
): Promise<vscode.Uri | undefined> {
  for (;;) {
    const picked = await vscode.window.showOpenDialog({
      title, defaultUri: folder, canSelectMany: false, filters: DATA_FILTERS, openLabel: 'Use this dataset',
    });
    if (!picked?.[0]) return undefined;
    const rel = path.relative(root.uri.fsPath, picked[0].fsPath);
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return picked[0];
    await vscode.window.showWarningMessage(
      `${picked[0].fsPath} is outside the workspace folder ${root.uri.fsPath}; spec paths must stay inside it.`,
    );
  }
}

/** Guided flow: head → subroutines with their train/test files → optional task test set → file name. */
export async function createSpec(model: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
  if (!model) {
    const models = await vscode.workspace.findFiles('**/*.{onnx,ONNX,Onnx}', '**/node_modules/**');
    if (models.length === 0) {
      void vscode.window.showWarningMessage('There is no .onnx model in this workspace to write a task spec for.');
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      models.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { title: 'Create task spec: model' },
    );
    if (!pick) return undefined;
    model = pick.uri;
  }
  const root = vscode.workspace.getWorkspaceFolder(model);
  if (!root) {
    void vscode.window.showWarningMessage(`${model.fsPath} is not inside an open workspace folder.`);
    return undefined;
  }
  const modelDir = vscode.Uri.file(path.dirname(model.fsPath));
  const title = `Task spec for ${path.basename(model.fsPath)}`;

  const head = await vscode.window.showQuickPick(
    [
      { label: 'classify', description: 'argmax of the output compared with the labels', value: 'classify' as const },
      {
        label: 'odd-one-out',
        description: 'groups of k stimuli; the one least similar to the others (cosine similarity of embeddings)',
        value: 'odd-one-out' as const,
      },
    ],
    { title: `${title}: how is the output scored?` },
  );
  if (!head) return undefined;
  let group: number | undefined;
  if (head.value === 'odd-one-out') {
    const g = await vscode.window.showInputBox({
      title: `${title}: group size`,
      prompt: 'Stimuli per odd-one-out problem (k)',
      value: '4',
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 3 ? undefined : 'A whole number, at least 3'),
    });
    if (g === undefined) return undefined;
    group = Number(g);
  }

  const subroutines: Record<string, { train: string; test: string }> = {};
  for (;;) {
    const n = Object.keys(subroutines).length;
    if (n >= 2) {
      const more = await vscode.window.showQuickPick(['Done', 'Add another subroutine'], {
        title: `${title}: ${n} subroutines (${Object.keys(subroutines).join(', ')})`,
      });
      if (!more) return undefined;
      if (more === 'Done') break;
    }
    const name = await vscode.window.showInputBox({
      title: `${title}: subroutine ${n + 1}`,
      prompt: n === 0
        ? 'Name of the first subroutine, e.g. inside (a compositional task needs at least two)'
        : 'Name of the next subroutine, e.g. contact',
      validateInput: (v) => {
        const t = v.trim();
        if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(t)) {
          return 'Letters, digits, _ . - only, starting with a letter or digit';
        }
        if (t === 'task' || t === 'random-init') return `"${t}" is reserved; pick another name`;
        return subroutines[t] ? `"${t}" is already a subroutine` : undefined;
      },
    });
    if (name === undefined) return undefined;
    const train = await pickDataFile(
      `${title}: train(${name.trim()}) — the task whose answer depends on ${name.trim()} alone`, modelDir, root,
    );
    if (!train) return undefined;
    const test = await pickDataFile(
      `${title}: test(${name.trim()}) — compositional test partition decided by ${name.trim()} only`,
      vscode.Uri.file(path.dirname(train.fsPath)),
      root,
    );
    if (!test) return undefined;
    subroutines[name.trim()] = { train: train.fsPath, test: test.fsPath };
  }

  let taskTest: string | undefined;
  const withTask = await vscode.window.showQuickPick(['Skip', 'Pick the compositional test set…'], {
    title: `${title}: the compositional task's own test set (optional)`,
  });
  if (withTask === undefined) return undefined;
  if (withTask !== 'Skip') {
    const t = await pickDataFile(`${title}: compositional test set`, modelDir, root);
    if (!t) return undefined;
    taskTest = t.fsPath;
  }

  const base = path.basename(model.fsPath).replace(/\.onnx$/i, '');
  const fileName = await vscode.window.showInputBox({
    title: `${title}: file name`,
    prompt: `Saved next to the model in ${vscode.workspace.asRelativePath(modelDir)}`,
    value: `${base}.subnet.json`,
    validateInput: (v) => (/^[^/\\]+\.subnet\.json$/.test(v.trim()) ? undefined : 'A file name ending in .subnet.json'),
  });
  if (fileName === undefined) return undefined;
  const specFile = path.join(modelDir.fsPath, fileName.trim());

  const s = readSettings(model);
  const dir = path.dirname(specFile);
  const spec = {
    model: relative(dir, model.fsPath),
    head: head.value === 'classify' ? { type: 'classify' } : { type: 'odd-one-out', group },
    subroutines: Object.fromEntries(Object.entries(subroutines).map(([k, v]) => [
      k, { train: relative(dir, v.train), test: relative(dir, v.test) },
    ])),
    ...(taskTest ? { task: { test: relative(dir, taskTest) } } : {}),
    mask: {
      method: s.mask.method,
      granularity: s.mask.granularity,
      init: s.mask.init,
      lambda: s.mask.lambda,
      lr: s.mask.lr,
      epochs: s.mask.epochs,
      batch: s.mask.batch,
      temperature: s.mask.temperature,
    },
    controls: { randomInit: true, randomAblations: s.randomAblations },
    seeds: Array.from({ length: s.seeds }, (_, i) => i),
  };
  const uri = vscode.Uri.file(specFile);
  try {
    await vscode.workspace.fs.stat(uri);
    const overwrite = await vscode.window.showWarningMessage(
      `${fileName.trim()} exists. Replace it?`, { modal: true }, 'Replace',
    );
    if (overwrite !== 'Replace') return undefined;
  } catch {
    // Does not exist: fine.
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(spec, null, 2)}\n`));
  await vscode.window.showTextDocument(uri, { preview: false, preserveFocus: true });
  return uri;
}
