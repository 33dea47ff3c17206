// The command registry. To add a command: create commands/<name>.ts exporting a `Command` built by defineCommand,
// then add one import and one entry to the list below (keep it alphabetical).
import type { Command } from '../command';
import { ablate } from './ablate';
import { attribute } from './attribute';
import { demo } from './demo';
import { exportCommand } from './export';
import { find } from './find';
import { gradcheck } from './gradcheck';
import { inspect } from './inspect';
import { merge } from './merge';
import { plan } from './plan';
import { prune } from './prune';

export const commands: Command[] = [
  ablate,
  attribute,
  demo,
  exportCommand,
  find,
  gradcheck,
  inspect,
  merge,
  plan,
  prune,
];
