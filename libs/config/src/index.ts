export { ConfigError, loadConfigOrExit, parseEnv } from './load-config';
export { envTypes } from './env-types';
export { coreEnvShape, loadTernConfig, type TernConfig } from './tern-config';
export { createLogger, silentLogger, type Logger, type LogLevel } from './logger';
