/**
 * The receivers deployed on a cluster, by name. A receiver is user code that runs on a node for each batch a
 * client streams to it (`STREAMER_WITH_RECEIVER_BATCH_SEND`); no code travels over the wire, so a receiver
 * must be deployed here, under the name clients use, before a batch names it.
 *
 * One registry per cluster: by default every node of a control plane shares the registry of that control
 * plane (`receiverRegistryOf`), so deploying once reaches every node, including nodes that join later. It
 * does not run receivers (receiver-batch-handler.ts does) or check what they return.
 */

import { ServerError } from '../../errors/server-error.js';
import type { ControlPlane } from '../../placement/control-plane.js';
import type { DataStreamerReceiver } from './data-streamer-receiver.js';

/** Longest receiver name accepted (Ignite's class names are far shorter in practice). */
const MAX_NAME_LENGTH = 1024;

export class ReceiverRegistry {
  readonly #receivers = new Map<string, DataStreamerReceiver>();

  /**
   * Deploys `receiver` under `name`, replacing a receiver deployed under that name before (batches that
   * already started keep the one they started with).
   *
   * @throws ServerError `INVALID_ARGUMENT` when `name` is not a non-empty string of at most 1024 characters
   *   or `receiver` is not a function.
   */
  deploy<Payload, Arg, Result>(name: string, receiver: DataStreamerReceiver<Payload, Arg, Result>): void {
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `receiver name: expected a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${String(name)}`,
      );
    }
    if (typeof receiver !== 'function') {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `receiver '${name}': expected a function (page, context, arg) => results, got ${typeof receiver}`,
      );
    }
    // The registry holds receivers of any types; the types are the deployer's and the client's agreement.
    this.#receivers.set(name, receiver as unknown as DataStreamerReceiver);
  }

  /** Removes the receiver deployed under `name`; returns whether there was one. */
  undeploy(name: string): boolean {
    return this.#receivers.delete(name);
  }

  /** The receiver deployed under `name`, if any. */
  get(name: string): DataStreamerReceiver | undefined {
    return this.#receivers.get(name);
  }

  /** The deployed names, in deployment order. */
  names(): string[] {
    return [...this.#receivers.keys()];
  }
}

const registries = new WeakMap<ControlPlane, ReceiverRegistry>();

/** The receiver registry every node of `controlPlane` uses by default (created on first use). */
export function receiverRegistryOf(controlPlane: ControlPlane): ReceiverRegistry {
  let registry = registries.get(controlPlane);
  if (registry === undefined) {
    registry = new ReceiverRegistry();
    registries.set(controlPlane, registry);
  }
  return registry;
}
