import type { Command } from '../command';
import { dashboardCommand } from './dashboard';
import { demoCommand } from './demo';
import { deployCommand } from './deploy';
import { historyCommand } from './history';
import { judgeCommand } from './judge';
import { planCommand } from './plan';
import { rollbackCommand } from './rollback';
import { strategiesCommand } from './strategies';

/** Every command, in the order `shiftgate --help` lists them. Each lives in its own file. */
export const COMMANDS: Command[] = [
  strategiesCommand,
  planCommand,
  judgeCommand,
  deployCommand,
  rollbackCommand,
  historyCommand,
  dashboardCommand,
  demoCommand,
];
