/**
 * The child process that runs the demo's story: it runs what the main process asked for (its first message),
 * sends every event back, and requests the stop when the main process says so. It ignores SIGINT itself: a
 * terminal's Ctrl-C reaches the whole process group, and the main process decides what it means. It prints
 * nothing: logs go straight to stderr, everything else through the main process.
 */
import { StopControl } from '../run/stop-control.js';
import type { EngineRequest, StoryMessage } from './demo-engine.js';
import { demoLogger } from './demo-logger.js';
import { runStory } from './story.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('story-process.ts runs as a child process of the demo (with IPC)');
process.on('SIGINT', () => undefined);

const stop = new StopControl();
const post = (message: StoryMessage) => send(message);

async function run(request: EngineRequest): Promise<void> {
  try {
    await runStory(request.scenario, {
      options: request.options,
      stop,
      logger: demoLogger(request.logLevel, request.tty, request.color),
      emit: (event) => post({ kind: 'event', event }),
    });
    post({ kind: 'done' });
  } catch (error) {
    post(
      error instanceof Error
        ? {
            kind: 'error',
            message: error.message,
            ...(error.stack === undefined ? {} : { stack: error.stack }),
          }
        : { kind: 'error', message: String(error) },
    );
  } finally {
    stop.dispose();
    // Nothing more to receive: the process ends once its last message is out.
    process.disconnect();
  }
}

process.on('message', (message: unknown) => {
  if (message === 'stop') stop.request();
  else void run(message as EngineRequest);
});
