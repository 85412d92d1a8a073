import type { Command } from '../command';

/** Every command, in the order `shiftgate --help` lists them. Each lives in its own file. */
export const COMMANDS: Command[] = [];
