import { Command } from 'commander';
import { isAppError, newReferenceId } from '../errors.ts';
import { register as ask } from './ask.ts';
import { register as comments } from './comments.ts';
import { register as docs } from './docs.ts';
import { register as doctor } from './doctor.ts';
import { register as evaluation } from './eval.ts';
import { register as feedback } from './feedback.ts';
import { register as ingest } from './ingest.ts';
import { register as jobs } from './jobs.ts';
import { register as reindex } from './reindex.ts';
import { register as start } from './start.ts';
import { register as summaries } from './summaries.ts';

/**
 * The command line. Each command group lives in its own file in src/cli/ and exports
 * `register(program)`; to add one, add the file and one line to COMMAND_GROUPS (the order here
 * is the order in `--help`). Every group is registered on every run, so a group's file imports
 * only light modules at the top and loads what its commands need inside their actions
 * (see src/cli/shared.ts and docs/architecture.md).
 */
export const COMMAND_GROUPS: ReadonlyArray<(program: Command) => void> = [
  ingest,
  ask,
  docs,
  reindex,
  doctor,
  evaluation,
  feedback,
  summaries,
  start,
  comments,
  jobs,
];

export function buildProgram(): Command {
  const program = new Command('policy-desk')
    .description('Cited answers from conventional arms transfer policy documents, and a stakeholder comment queue.')
    .showHelpAfterError()
    .configureOutput({ outputError: (s, write) => write(s) });
  for (const register of COMMAND_GROUPS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (isAppError(err)) {
      process.stderr.write(`${err.message}\n`);
    } else {
      const ref = newReferenceId();
      process.stderr.write(`Something went wrong (reference ${ref}): ${(err as Error)?.message ?? String(err)}\n`);
    }
    process.exitCode = 1;
  }
}
