// The command registry. To add a command: create commands/<name>.ts exporting a `Command`,
// then add one import and one entry to the list below (keep it alphabetical).
import type { Command } from '../command';
import { find } from './find';
import { inspect } from './inspect';

export const commands: Command[] = [
  find,
  inspect,
];
