/**
 * @datastreamer/protocol/internal: what the sibling packages (client, server-node, sim-cluster) share and
 * users do not call. UNSTABLE: any name here may change or go in any release, without notice; code outside
 * this repository should import `@datastreamer/protocol` only.
 */

export { VersionedSchema } from './tuple/versioned-schema.js';
