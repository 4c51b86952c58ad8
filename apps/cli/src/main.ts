#!/usr/bin/env node
// `tern`: the transfer-learning core from the command line. Thin: parsing and printing only.
import { helpText, parsePredictArgs, parseTrainArgs, UsageError } from './args';
import { basesCommand } from './commands/bases';
import { predictCommand } from './commands/predict';
import { trainCommand } from './commands/train';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help' || rest.includes('--help')) {
    process.stdout.write(helpText);
    return command ? 0 : 2;
  }
  if (command === 'train') {
    await trainCommand(parseTrainArgs(rest));
    return 0;
  }
  if (command === 'predict') return predictCommand(parsePredictArgs(rest));
  if (command === 'bases') {
    basesCommand();
    return 0;
  }
  throw new UsageError(`unknown command "${command}" (try: tern --help)`);
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: Error) => {
    const usage = error instanceof UsageError || error.name === 'TypeError' && /parseArgs|Unknown option/i.test(error.message) || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`tern: ${error.message}\n`);
    process.exit(usage ? 2 : 1);
  });
