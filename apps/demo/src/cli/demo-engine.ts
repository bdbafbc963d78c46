/**
 * Where the story runs: in a child process (the CLI), so that this process answers Ctrl-C and keeps the view
 * moving even while a verification step computes for seconds, and can leave at once without waiting for a
 * large heap to be torn down; or in this thread (tests that read the JSON summary). Both send the same events
 * to the same sink. It shows nothing and decides no exit code.
 */
import { fork } from 'node:child_process';
import type { EngineEvent, EngineSink } from '../run/engine-events.js';
import type { DemoOptions } from '../run/scenario-context.js';
import { StopControl } from '../run/stop-control.js';
import type { ScenarioName } from '../scenarios/scenario.js';
import { demoLogger, type LogLevelName } from './demo-logger.js';
import { runStory } from './story.js';

/** What a run needs: plain data, so it can be handed to the child process. */
export interface EngineRequest {
  readonly scenario: ScenarioName | undefined;
  readonly options: DemoOptions;
  readonly logLevel: LogLevelName;
  /** Whether stderr is a terminal, and whether to colour it (the logger's format). */
  readonly tty: boolean;
  readonly color: boolean;
}

/** A run of the story. */
export interface DemoEngine {
  /** Resolves when the run ended (every summary sent); rejects with what a scenario threw. */
  readonly finished: Promise<void>;
  /** The first Ctrl-C: producers stop, streams drain a moment, no verification step starts after it. */
  stop(): void;
  /** Gives up on the run now: the child process is killed (this thread's run cannot be, and is left behind). */
  kill(): void;
}

/** Messages from the child process. */
export type StoryMessage =
  | { readonly kind: 'event'; readonly event: EngineEvent }
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly message: string; readonly stack?: string };

/** Runs the story in this thread. */
export function inProcessEngine(request: EngineRequest, sink: EngineSink): DemoEngine {
  const stop = new StopControl();
  const logger = demoLogger(request.logLevel, request.tty, request.color);
  const finished = runStory(request.scenario, { options: request.options, stop, logger, emit: sink }).then(
    () => stop.dispose(),
  );
  return { finished, stop: () => stop.request(), kill: () => undefined };
}

/**
 * Runs the story in a child process (see story-process.ts), started the way this one was (`process.execArgv`:
 * tsx and the source condition), with stderr shared for its logs.
 */
export function childProcessEngine(request: EngineRequest, sink: EngineSink): DemoEngine {
  const child = fork(new URL('./story-process.ts', import.meta.url), [], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let ended = false;
  const finished = new Promise<void>((resolve, reject) => {
    child.on('message', (message: StoryMessage) => {
      if (message.kind === 'event') sink(message.event);
      else if (message.kind === 'done') {
        ended = true;
        resolve();
      } else {
        ended = true;
        const error = new Error(message.message);
        if (message.stack !== undefined) error.stack = message.stack;
        reject(error);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const how = signal ?? `exit code ${code}`;
      if (!ended) reject(new Error(`the demo's story process ended (${how}) before the run did`));
    });
  });
  // The run's end is awaited by the caller; a rejection it no longer awaits (after a kill) is not an error.
  finished.catch(() => undefined);
  child.send(request);
  return {
    finished,
    stop: () => {
      if (child.connected) child.send('stop');
    },
    kill: () => {
      ended = true;
      child.kill('SIGKILL');
    },
  };
}
