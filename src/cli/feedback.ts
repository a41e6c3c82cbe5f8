import { InvalidArgumentError, type Command } from 'commander';
import type { FeedbackFormat } from '../app/feedback-export.ts';
import { checkDate, withServices } from './shared.ts';

/** `policy-desk feedback export`: the Helpful / Not helpful votes given in Slack. */
export function register(program: Command): void {
  const feedback = program.command('feedback').description('Feedback given on answers in Slack (Helpful / Not helpful, with reasons).');
  feedback
    .command('export')
    .description('Write all feedback as CSV or JSON, with the question, answer, mode and citations of each.')
    .option('--format <format>', 'csv or json', (v: string) => {
      if (v !== 'csv' && v !== 'json') throw new InvalidArgumentError('expected csv or json');
      return v;
    }, 'csv')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--since <date>', 'only feedback given on or after YYYY-MM-DD')
    .action(async (opts: { format: FeedbackFormat; out?: string; since?: string }) => {
      checkDate(opts.since);
      const { listFeedback } = await import('../db/feedback.ts');
      const { formatFeedback } = await import('../app/feedback-export.ts');
      const { writeFile } = await import('node:fs/promises');
      await withServices(async (services) => {
        const records = await listFeedback(services.db, { since: opts.since });
        const out = formatFeedback(records, opts.format);
        if (opts.out) await writeFile(opts.out, out);
        else process.stdout.write(out);
        const helpful = records.filter((r) => r.helpful).length;
        process.stderr.write(
          `Exported ${records.length} feedback record(s) (${helpful} helpful, ${records.length - helpful} not helpful) as ${opts.format}${opts.out ? ` to ${opts.out}` : ''}.\n`,
        );
      });
    });
}
