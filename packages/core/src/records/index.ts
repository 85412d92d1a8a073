/** Deployment records: the record, the store port, the recorder, history and DORA. */
export * from './record';
export * from './store';
export * from './recorder';
export * from './dora';
export * from './summary';
