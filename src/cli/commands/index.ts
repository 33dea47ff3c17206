// The command registry. To add a command: create commands/<name>.ts exporting a `Command`,
// then add one import and one entry to the list below (keep it alphabetical).
import type { Command } from '../command';
import { attribute } from './attribute';
import { demo } from './demo';
import { find } from './find';
import { gradcheck } from './gradcheck';
import { inspect } from './inspect';

export const commands: Command[] = [
  attribute,
  demo,
  find,
  gradcheck,
  inspect,
];
