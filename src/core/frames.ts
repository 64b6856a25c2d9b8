/**
 * Fixed-size records out of a byte stream: the raw video frames ffmpeg writes on a pipe, which
 * arrive in chunks of whatever size the pipe gives.
 */

/**
 * Yields the `frameBytes`-byte frames of `stream` in order, each in a fresh buffer (or, with
 * `reuse`, in the same buffer, valid until the next is asked for). Bytes left after the last
 * whole frame are counted in `tail.bytes`, for the caller to judge once the stream ended.
 */
export async function* fixedSizeFrames(
  stream: AsyncIterable<Buffer>,
  frameBytes: number,
  tail: { bytes: number },
  reuse = false,
): AsyncGenerator<Uint8Array> {
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  for await (const chunk of stream) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        yield frame;
        if (!reuse) frame = new Uint8Array(frameBytes);
        filled = 0;
      }
    }
  }
  tail.bytes = filled;
}
