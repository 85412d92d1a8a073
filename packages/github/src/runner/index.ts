/** Runner-side helpers every action shares: the log writer, real time, signals, bash, post-step restore. */
export * from './log';
export * from './time';
export * from './signals';
export * from './bash';
export * from './post-restore';
