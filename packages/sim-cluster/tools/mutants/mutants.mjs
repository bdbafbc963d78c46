// The planted bugs the property suite must catch (issues 7, 13, 14, 15, 19, 20 and 21; the three of issues 19 and
// 21 live on paths only the fault points inside the code (BUGGIFY) reach in the property's small runs). Each mutant is a list of exact-string
// replacements in files of the workspace (paths from the repository root). An anchor that is missing, or
// found more than once, makes the runner fail loudly: a refactor must update the mutant, never silently
// disable it.

/**
 * @typedef {{ readonly file: string, readonly find: string, readonly replace: string }} Patch
 * @typedef {{ readonly name: string, readonly bug: string, readonly patches: readonly Patch[] }} Mutant
 */

/** @type {readonly Mutant[]} */
export const mutants = [
  {
    name: 'fence-admits-out-of-turn',
    bug:
      "a partition applies a run's batch that overtook an earlier one (with several batches of a partition " +
      'under way): the earlier batch then counts as a duplicate and is never applied',
    patches: [
      {
        file: 'packages/server-node/src/fence/producer-fence.ts',
        find: '      return batchSeq === 1 ? APPLY : outOfOrder(producer, 0);\n',
        replace: '      return APPLY;\n',
      },
      {
        file: 'packages/server-node/src/fence/producer-fence.ts',
        find: '    return batchSeq === entry.appliedSeq + 1 ? APPLY : outOfOrder(producer, entry.appliedSeq);\n',
        replace: '    return APPLY;\n',
      },
    ],
  },
  {
    name: 'retry-skips-owner-resolution',
    bug: 'a retry skips re-resolving the owner: it reuses the connection of the previous attempt',
    patches: [
      {
        file: 'packages/client/src/table/partition-route.ts',
        find: 'const SEAL_PAUSE_MS = 50;\n',
        replace:
          'const SEAL_PAUSE_MS = 50;\n' +
          'const lastRoutes = new WeakMap<TableContext, Map<string, PartitionRoute>>();\n',
      },
      {
        file: 'packages/client/src/table/partition-route.ts',
        find: '  readonly options?: RequestOptions;\n}\n',
        replace: '  readonly options?: RequestOptions;\n  readonly retry?: boolean;\n}\n',
      },
      {
        file: 'packages/client/src/table/partition-route.ts',
        find: '    const route = await routeToPrimary(context, tableId, partition);\n',
        replace:
          // The pool's own CLOSED check is kept, so the bug shows during the run, not after the client closed.
          '    const routes = lastRoutes.get(context) ?? new Map<string, PartitionRoute>();\n' +
          '    lastRoutes.set(context, routes);\n' +
          "    const key = tableId + '/' + partition;\n" +
          '    const reused = request.retry === true && !context.pool.isClosed ? routes.get(key) : undefined;\n' +
          '    const route = reused ?? (await routeToPrimary(context, tableId, partition));\n' +
          '    routes.set(key, route);\n',
      },
      {
        file: 'packages/client/src/table/table-streamer-sink.ts',
        find: "      op: 'STREAMER_BATCH_SEND',\n",
        replace: "      op: 'STREAMER_BATCH_SEND',\n      retry: batch.attempt > 1,\n",
      },
    ],
  },
  {
    name: 'stale-owner-applies',
    bug: 'a node applies a batch for a partition it no longer owns (it keeps its replica after a move)',
    patches: [
      {
        file: 'packages/server-node/src/node/node-core.ts',
        find: "    if (owner !== this.name) return { kind: 'remote', owner, version };\n",
        replace:
          '    if (owner !== this.name) {\n' +
          '      const stale = this.partitions.get(tableId, partition);\n' +
          "      return stale === undefined ? { kind: 'remote', owner, version } : { kind: 'local', replica: stale };\n" +
          '    }\n',
      },
      {
        file: 'packages/server-node/src/node/partition-move.ts',
        find: '  source.releaseReplica(tableId, partition);\n',
        replace: '',
      },
    ],
  },
  {
    name: 'first-write-wins',
    bug: 'inside a batch the first operation per key wins instead of the last',
    patches: [
      {
        file: 'packages/server-node/src/tx/apply-batch.ts',
        find: '    for (let i = 0; i < batch.count; i++) {\n      const keyStart = keyStarts[i] as number;\n',
        replace:
          '    for (let i = batch.count - 1; i >= 0; i--) {\n      const keyStart = keyStarts[i] as number;\n',
      },
    ],
  },
  {
    name: 'failed-items-dropped',
    bug: 'a batch that failed for good and that its seal says did not apply is dropped from the failed items',
    patches: [
      {
        file: 'packages/client/src/streamer/unknown-outcomes.ts',
        find: '          if (batch.batchSeq <= appliedSeq) applied += batch.size;\n          else failed.addBatch(batch);\n',
        replace: '          if (batch.batchSeq <= appliedSeq) applied += batch.size;\n',
      },
    ],
  },
  {
    name: 'newer-epoch-not-newer',
    bug: "a partition does not see a newer epoch as newer: a resumed run's batches are taken for duplicates",
    patches: [
      {
        file: 'packages/server-node/src/fence/producer-fence.ts',
        find: '    if (entry === undefined || epoch > entry.epoch) {\n      return batchSeq === 1',
        replace: '    if (entry === undefined) {\n      return batchSeq === 1',
      },
    ],
  },
  {
    name: 'seal-skipped',
    bug: 'a failing stream does not seal: it reports every batch of unknown outcome as not applied',
    patches: [
      {
        file: 'packages/client/src/streamer/unknown-outcomes.ts',
        find: '          appliedSeq = await seal(partition);\n',
        replace: '          appliedSeq = 0;\n',
      },
    ],
  },
  // The Raft safety rules replication stands on (issue 14): each planted in the core or the leases, each
  // caught by the replicated properties of the default suite.
  {
    name: 'commit-without-majority',
    bug: 'a Raft leader commits what its own disk holds, without waiting for a majority of the voters',
    patches: [
      {
        file: 'packages/server-node/src/raft/leader-replication.ts',
        find:
          '    const index = majorityValue(config, (voter) =>\n' +
          '      voter === id ? this.#durable : (this.#progress.get(voter)?.match ?? 0),\n' +
          '    );\n',
        replace: '    const index = this.#durable;\n',
      },
    ],
  },
  {
    name: 'lease-before-expiry',
    bug: 'the placement driver leases a replica while another replica still holds an unexpired lease',
    patches: [
      {
        file: 'packages/server-node/src/placement/placement-driver.ts',
        find: '    if (current !== undefined && current.holder !== holder && now < current.expiresAtMs) return undefined;\n',
        replace: '',
      },
    ],
  },
  {
    name: 'read-after-lease-expiry',
    bug: 'a primary answers reads after its lease expired (it never looks at the clock again)',
    patches: [
      {
        file: 'packages/server-node/src/replication/partition-group.ts',
        find: '      this.#host.clock.now() < held.lease.expiresAtMs - this.#host.leaseMarginMs\n',
        replace: '      this.#host.clock.now() >= 0\n',
      },
    ],
  },
  {
    name: 'boolean-check-skipped',
    bug: "the node's value check skips one type (BOOLEAN): a BOOLEAN holding 2 is stored, and no reader can read it",
    patches: [
      {
        file: 'packages/server-node/src/rows/row-shape.ts',
        find: '    return elementProblem(this.#checks, index, bytes, start, end);\n',
        replace:
          "    if (this.schema.columns[index]?.type === 'BOOLEAN') return null;\n" +
          '    return elementProblem(this.#checks, index, bytes, start, end);\n',
      },
    ],
  },
  {
    name: 'arena-key-into-replaced-buffer',
    bug:
      "a node writes a row's key into its batch arena as it was before reserving room: when the arena grows " +
      'mid-batch, the key lands in the replaced buffer and the stored key is zeros (the storage.arena-tiny point)',
    patches: [
      {
        file: 'packages/server-node/src/rows/row-ingest.ts',
        find:
          '      // Reserve first: reserving may grow the arena into a new buffer, which `keyBytes` then returns.\n' +
          '      const keyStart = batch.reserveKey(index, writer.byteLength());\n' +
          '      writer.writeTo(batch.keyBytes, keyStart);\n',
        replace:
          '      const keys = batch.keyBytes;\n' +
          '      const keyStart = batch.reserveKey(index, writer.byteLength());\n' +
          '      writer.writeTo(keys, keyStart);\n',
      },
    ],
  },
  {
    name: 'frame-prefix-not-reset',
    bug:
      "a frame decoder keeps a split length prefix's value after using it: the next split prefix is read with " +
      'its bytes still in it (the frame.byte-at-a-time point)',
    patches: [
      {
        file: 'packages/protocol/src/frame/frame-decoder.ts',
        find: '          bodyLength = this.#headerValue;\n          this.#headerBytes = 0;\n          this.#headerValue = 0;\n',
        replace: '          bodyLength = this.#headerValue;\n          this.#headerBytes = 0;\n',
      },
    ],
  },
  {
    name: 'refused-batch-not-in-doubt',
    bug:
      'a batch that failed for good with a refusal from a node is taken as not applied, though an earlier ' +
      'attempt may have applied (the node.refuse-after-apply point): it is reported failed and not sealed',
    patches: [
      {
        file: 'packages/client/src/streamer/data-streamer.ts',
        find: "      case 'failed':\n        this.#keepUnapplied(lane.partition, batch);\n",
        replace:
          "      case 'failed':\n" +
          "        if (['REQUEST_TIMEOUT', 'CONNECTION_LOST'].includes(errorCodeOf(result.error) ?? '')) {\n" +
          '          this.#keepUnapplied(lane.partition, batch);\n' +
          '        } else this.#failed.addBatch(batch);\n',
      },
    ],
  },
  // Rebalancing (issue 15): the rule a replica move stands on, caught by the replicated properties.
  {
    name: 'replica-removed-before-caught-up',
    bug:
      'a replica move removes the leaving replica before its replacement was added, caught up and promoted: ' +
      'the group runs on fewer copies than its replica count meanwhile',
    patches: [
      {
        file: 'packages/server-node/src/replication/membership-reconciler.ts',
        find: '  if (joining.length > 0) {\n',
        replace: '  if (joining.length > 0 && leaving.length === 0) {\n',
      },
    ],
  },
  // Following the cluster (issue 20), caught by the scenario property.
  {
    name: 'client-ignores-member-lists',
    bug:
      'the client never follows the member lists nodes send (issue 20): it keeps to the endpoints it was ' +
      'given and fails, or hangs, once they all left, though the nodes that joined are there',
    patches: [
      {
        file: 'packages/client/src/connection/connection-pool.ts',
        find: '    if (!this.#options.clusterDiscovery || this.#closed || version < this.#membersVersion) return;\n',
        // Not a bare return: the code after it would be unreachable, and unreachable code is not narrowed.
        replace: '    if (members.length >= 0) return;\n',
      },
    ],
  },
  // The metastorage (issue 15), caught by the metastorage linearizability property.
  {
    name: 'read-barrier-skipped',
    bug:
      "a node's metastorage read barrier returns without asking the leader: a read after a change made " +
      'through another node answers from a copy that does not hold it yet (a stale catalog)',
    patches: [
      {
        file: 'packages/server-node/src/metastorage/node-metastorage.ts',
        find:
          '      const result = await this.propose({ compares: [], puts: [], deletes: [] }, timeoutMs);\n' +
          '      return this.view.revision >= result.revision;\n',
        replace: '      return timeoutMs >= 0;\n',
      },
    ],
  },
  // The assignments in the metastorage (issue 15), caught by the stale-assignment scenario.
  {
    name: 'stale-assignment-served',
    bug:
      'a node whose copy of the assignments is older than a hand-over it made itself routes by the stale ' +
      'copy: it serves the partition it handed over again (on an empty store), so rows land where the ' +
      'partition no longer is',
    patches: [
      {
        file: 'packages/server-node/src/node/node-core.ts',
        find: '      if (handOver.version > assignments.version) return handOver;\n',
        replace:
          '      if (handOver.version > assignments.version && handOver.owner === this.name) return handOver;\n',
      },
    ],
  },
];
