import type { Command } from 'commander';
import { AppError } from '../errors.ts';
import { ensureCorpusWithProgress, filtersFrom, positiveInt, readInputFile, withServices } from './shared.ts';

/**
 * Why the server at `url` cannot be reached at all (refused, unknown host, no answer within 3 s),
 * or null when a TCP connection opens. Asked only after an LLM answer fell back to quoting, to tell
 * a server that is down or misnamed from one that answered with an error.
 */
async function unreachable(url: string): Promise<string | null> {
  const { connect } = await import('node:net');
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return 'not a URL';
  }
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const host = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (why: string | null) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(3_000, () => done(`no answer from ${host}:${port} within 3 s`));
    socket.once('connect', () => done(null));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? `connection refused at ${host}:${port}` : `${err.code ?? err.message} for ${host}:${port}`));
  });
}

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
      await withServices(async (services, config) => {
        await ensureCorpusWithProgress(services);
        let checked = false;
        for (const question of questions) {
          const answer = await ask(services, question, { k: opts.topK, filters });
          if (opts.json) process.stdout.write(`${JSON.stringify(answer, null, opts.file ? 0 : 2)}\n`);
          else process.stdout.write(`${opts.file ? `Q: ${question}\n` : ''}${renderAnswerText(answer)}\n${opts.file ? '\n' : ''}`);
          // LLM mode fell back to quoting: when the configured server cannot be reached at all, say so and fail.
          if (!checked && config.openai.baseUrl && answer.mode === 'extractive' && answer.note) {
            checked = true;
            const problem = await unreachable(config.openai.baseUrl);
            if (problem) {
              process.stderr.write(
                `error: cannot reach the language model at OPENAI_BASE_URL=${config.openai.baseUrl} (${problem}). ` +
                  'Start that server or fix OPENAI_BASE_URL; unset it (and OPENAI_API_KEY) for extractive answers.\n',
              );
              process.exitCode = 1;
              break;
            }
          }
        }
      });
    });
}
