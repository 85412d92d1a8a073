/** Deployment records: the record, the store port, the recorder, history and DORA. */
export * from './record';
export * from './parse-record';
export * from './artifacts';
export * from './canary';
export * from './store';
export * from './recorder';
export * from './dora';
export * from './summary';
export * from './saga';
