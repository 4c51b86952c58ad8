import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** Runs the real ESLint CLI on `code` as if it were the file `file` (relative to the workspace root). */
function boundaryErrors(file: string, code: string): string[] {
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', path.join(root, file)],
    { cwd: root, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } },
  );
  if (!result.stdout.trim().startsWith('[')) throw new Error(`eslint did not report: ${result.stderr}`);
  const [report] = JSON.parse(result.stdout) as { messages: LintMessage[] }[];
  return (report?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries are enforced by lint', () => {
  jest.setTimeout(120_000);

  it('rejects a shared contracts lib importing a data-access lib', () => {
    const errors = boundaryErrors('libs/contracts/src/forbidden.ts', "import { createPrismaClient } from '@tern/db';\nexport const x = createPrismaClient;\n");
    expect(errors.join('\n')).toMatch(/type:contracts.*can only depend on libs tagged with "type:contracts"/s);
  });

  it('rejects NestJS, Kafka or Prisma inside the framework-free ML core', () => {
    const errors = boundaryErrors('libs/ml/src/forbidden.ts', "import { Kafka } from 'kafkajs';\nexport const k = Kafka;\n");
    expect(errors.join("\n")).toMatch(/"type:ml" is not allowed to import "kafkajs"/);
  });

  it('accepts an allowed import', () => {
    expect(boundaryErrors('libs/messaging/src/allowed.ts', "import { Topics } from '@tern/contracts';\nexport const t = Topics;\n")).toEqual([]);
  });
});
