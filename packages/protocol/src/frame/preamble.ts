/**
 * The connection preamble: each direction of a connection starts with the 4 magic bytes `IGNI`
 * (0x49 0x47 0x4E 0x49), as in Ignite 3, then the handshake frame. The frame decoder checks it; senders
 * write it once per connection before their first frame.
 */

/** The magic bytes, in order. */
export const PREAMBLE_BYTES = [0x49, 0x47, 0x4e, 0x49] as const;

/** A fresh copy of the preamble, to send (a copy, so no caller can alter what another sends). */
export function preamble(): Uint8Array {
  return Uint8Array.from(PREAMBLE_BYTES);
}
