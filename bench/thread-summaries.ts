/**
 * Scores the extractive (or, with --llm, the model's) thread summaries against the labelled
 * threads in test/fixtures/threads (or a directory given as the first argument), per section.
 * Run: npx tsx bench/thread-summaries.ts [dir] [--llm] [--verbose]
 */
import path from 'node:path';
import { loadPrompts } from '../src/answer/prompts.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { evaluateThreads, renderEvalReport } from '../src/summarize/thread-eval.ts';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--')) ?? path.join(import.meta.dirname, '..', 'test', 'fixtures', 'threads');
const llm = args.includes('--llm');
const config = llm ? loadConfig() : loadConfig({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '' });
const report = await evaluateThreads({ config, logger: createLogger('silent'), prompts: await loadPrompts() }, dir, { llm });
console.log(renderEvalReport(report, args.includes('--verbose')));
