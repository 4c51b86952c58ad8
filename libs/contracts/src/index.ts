export * from './envelope';
export * from './ids';
export * from './hyperparameters';
export * from './jobs';
export * from './public-events';
export * from './topics';
export * from './validate';
export * from './api';
