import { z } from 'zod';

/** Raised when the environment does not satisfy a config schema. Names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against a schema whose keys are environment variable names and
 * returns the parsed values. Every problem is reported at once, each naming its variable.
 */
export function parseEnv<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv): z.infer<z.ZodObject<S>> {
  // Empty strings count as unset: `FOO=` in a .env file should not bypass a default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = z.object(shape).safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? '(root)');
    const given = cleaned[variable];
    const what = given === undefined ? 'is missing' : `is invalid (got ${JSON.stringify(redact(variable, given))})`;
    return `${variable} ${what}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

function redact(variable: string, value: string): string {
  if (/PASSWORD|SECRET|TOKEN|KEY/i.test(variable)) return '***';
  return value.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

/**
 * Loads config at process start; on failure prints the problems and exits with status 78
 * (EX_CONFIG), so a misconfigured service stops instead of limping along.
 */
export function loadConfigOrExit<T>(load: () => T, processName: string): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`[${processName}] ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
