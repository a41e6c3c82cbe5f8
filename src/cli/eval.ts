import path from 'node:path';
import type { Command } from 'commander';
import { PROJECT_ROOT } from '../paths.ts';
import { ensureCorpusWithProgress, positiveInt, withServices } from './shared.ts';

/** `policy-desk eval`: retrieval and abstention measured over a question set. */
export function register(program: Command): void {
  program
    .command('eval')
    .description('Measure retrieval (hit@k, MRR), answers per kind of question and abstention over question sets.')
    .option('--file <path...>', 'question sets (JSONL)', [
      path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', 'questions.jsonl'),
      path.join(PROJECT_ROOT, 'test', 'fixtures', 'eval', 'understanding.jsonl'),
    ])
    .option('-k, --top-k <n>', 'depth for hit@k and MRR', positiveInt, 10)
    .option('--json', 'print as JSON')
    .action(async (opts: { file: string | string[]; topK: number; json?: boolean }) => {
      const { evaluate, formatEvalReport, readEvalSet } = await import('../app/evaluate.ts');
      const files = Array.isArray(opts.file) ? opts.file : [opts.file];
      const questions = (await Promise.all(files.map((f) => readEvalSet(f)))).flat();
      await withServices(async (services) => {
        await ensureCorpusWithProgress(services);
        const report = await evaluate(services, questions, opts.topK);
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatEvalReport(report)}\n`);
      });
    });
}
