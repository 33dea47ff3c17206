// The workspace a run folder was started in, read from where the folder lies: runs made without --out live in
// `<workspace>/.subnetwork-lens/runs/<id>`. A resumed or merged run must bound its spec's paths by that
// workspace again (a spec in a subfolder may read `../data/...`), and the location, unlike run.json's
// contents, cannot widen what the run may read.
import * as path from 'node:path';
import { RUNS_DIR } from '../../shared/results';

export function workspaceOfRun(runDir: string): string | undefined {
  const runs = path.dirname(path.resolve(runDir));
  const root = path.resolve(runs, ...RUNS_DIR.split('/').map(() => '..'));
  return path.join(root, RUNS_DIR) === runs ? root : undefined;
}
