/**
 * Counts the bytes a process writes to stdout (the handlers' JSON logs and EMF metrics) while
 * still writing them: imported first, before any logger captures the stream.
 */
let bytes = 0;
const write = process.stdout.write.bind(process.stdout) as (...args: unknown[]) => boolean;
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
  return write(chunk, ...rest);
}) as typeof process.stdout.write;

/** Bytes written to stdout so far. */
export function stdoutBytes(): number {
  return bytes;
}
