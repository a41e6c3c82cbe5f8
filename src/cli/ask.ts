import type { Command } from 'commander';
import { AppError } from '../errors.ts';
import { ensureCorpusWithProgress, filtersFrom, positiveInt, readInputFile, withServices } from './shared.ts';

/** `policy-desk ask`: one question, or a file of them, answered with verbatim cited quotes. */
export function register(program: Command): void {
  program
    .command('ask')
    .description('Answer a question from the ingested documents, with verbatim cited quotes.')
    .argument('[question...]', 'the question')
    .option('--json', 'print the answer as JSON')
    .option('-k, --top-k <n>', 'passages to retrieve (1-50)', positiveInt)
    .option('--file <path>', 'answer every line of a file (one question per line; with --json, one JSON object per line)')
    .option('--doc <ids...>', 'only search these document ids (see `policy-desk docs`)')
    .option('--from <date>', "only documents dated on or after YYYY, YYYY-MM or YYYY-MM-DD (the catalog's issued date where supplied, else the text's)")
    .option('--to <date>', 'only documents dated on or before YYYY, YYYY-MM or YYYY-MM-DD (catalog or text date)')
    .action(async (words: string[], opts: { json?: boolean; topK?: number; file?: string; doc?: string[]; from?: string; to?: string }) => {
      const filters = await filtersFrom(opts);
      let questions: string[];
      if (opts.file) {
        const text = await readInputFile(opts.file);
        questions = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
      } else {
        const q = words.join(' ').trim();
        if (!q) throw new AppError('input.invalid', 'Give a question, e.g. policy-desk ask "What are the three lines of effort?", or --file questions.txt');
        questions = [q];
      }
      const { ask } = await import('../app/services.ts');
      const { renderAnswerText } = await import('../console/render.ts');
      await withServices(async (services) => {
        await ensureCorpusWithProgress(services);
        for (const question of questions) {
          const answer = await ask(services, question, { k: opts.topK, filters });
          if (opts.json) process.stdout.write(`${JSON.stringify(answer, null, opts.file ? 0 : 2)}\n`);
          else process.stdout.write(`${opts.file ? `Q: ${question}\n` : ''}${renderAnswerText(answer)}\n${opts.file ? '\n' : ''}`);
        }
      });
    });
}
