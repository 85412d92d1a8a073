export * from './command';
export { main } from './main';
export * from './simulator/index';
