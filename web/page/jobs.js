// @ts-check
// Tools jobs (converting, inspecting) as the page sees them. A job's worker
// reports on a channel of its own, straight to this page (web/job/worker-job.js);
// the engine reports `${type}Failed` itself when the job cannot start or its
// worker dies.
import { send } from './engine-link.js';

/** @typedef {import('../shared/messages.js').JobToPage} JobToPage */
/** @typedef {import('../shared/messages.js').ConvertOptions} ConvertOptions */
/**
 * @typedef {{
 *   progress: (fraction: number) => void,
 *   done: (result: any) => void,
 *   failed: (message: string) => void,
 * }} JobCallbacks
 */

/**
 * Starts a tools job: `progress(fraction)` …, then `done(result)` or
 * `failed(message)`. Returns a function that stops listening, for a cancel or a
 * job that replaces this one.
 * @param {{ type: 'convert', options: ConvertOptions } | { type: 'inspect' }} job
 * @param {JobCallbacks} callbacks
 */
export function runJob(job, { progress, done, failed }) {
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = (/** @type {MessageEvent<JobToPage>} */ { data }) => {
    if (data.type === 'progress') {
      progress(data.fraction);
      return;
    }
    port1.close();
    if (data.type === 'done') done(data.result);
    else if (data.type === 'failed') failed(data.message);
    else failed(`The page received an unknown message from a job: ${JSON.stringify(/** @type {any} */ (data).type)}`);
  };
  if (job.type === 'convert') send({ type: 'convert', options: job.options, port: port2 }, [port2]);
  else send({ type: 'inspect', port: port2 }, [port2]);
  return () => port1.close();
}
