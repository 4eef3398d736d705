// Opening the files a user names (datasets, graders, mappings, specs) safely: only regular files are read, and
// every refusal is a plain sentence naming the path. Shared by every CLI command and the editor's file pickers.
import { constants } from 'node:fs';
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';

/** A named input that cannot be read; `message` is meant for the user as it is. */
export class InputFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'does not exist',
  ENOTDIR: 'does not exist (a part of the path is not a folder)',
  EACCES: 'cannot be read (permission denied)',
  EPERM: 'cannot be read (operation not permitted)',
  EISDIR: 'is a folder, not a file',
  ELOOP: 'is a symbolic link loop',
  ENAMETOOLONG: 'is a path too long for the system',
  EMFILE: 'cannot be opened now (too many open files)',
  ENFILE: 'cannot be opened now (too many open files)',
  ENXIO: 'is a device or socket with nothing behind it, not a file',
  EIO: 'could not be read (input/output error)',
  ESPIPE: 'is a pipe or socket, not a file',
};

/** A file-system error as a plain sentence about `path`, or undefined when `e` is not one. */
export function describeFileError(e: unknown, path: string): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  return `${path} ${ERRNO_TEXT[code] ?? `cannot be used (${code})`}`;
}

function kindOf(st: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Refuses anything but a regular file, without ever blocking: the file is opened non-blocking (a FIFO with no
 * writer would otherwise hang the open) and the opened descriptor is checked, so a path swapped after a stat
 * is still caught. Returns the file's size in bytes.
 */
export async function checkInputFile(path: string, label = ''): Promise<number> {
  const handle = await openInputFile(path, label);
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}

/** Opens a regular file for reading (never blocks, refuses anything else); the caller closes the handle. */
export async function openInputFile(path: string, label = ''): Promise<FileHandle> {
  const name = label ? `${label} ${path}` : path;
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENXIO' || (e as NodeJS.ErrnoException).code === 'EISDIR') {
      const st = await stat(path).catch(() => undefined);
      if (st) throw new InputFileError(path, `${name} is ${kindOf(st)}: give a regular file`);
    }
    throw new InputFileError(path, describeFileError(e, name) ?? `${name} cannot be opened`);
  }
  let st;
  try {
    st = await handle.stat();
  } catch (e) {
    await handle.close();
    throw e;
  }
  if (!st.isFile()) {
    await handle.close();
    throw new InputFileError(path, `${name} is ${kindOf(st)}: give a regular file`);
  }
  return handle;
}

/** The line (1-based) and column (1-based, in bytes) of the first byte that is not valid UTF-8, if any. */
export function findInvalidUtf8(
  bytes: Uint8Array,
): { offset: number; line: number; column: number } | undefined {
  // TextDecoder with fatal does the validation natively; only the rare failure pays for locating it.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return undefined;
  } catch {
    // fall through to locate the bad byte
  }
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const len = utf8SequenceLength(bytes, i);
    if (len === 0) {
      let line = 1;
      let lineStart = 0;
      for (let j = 0; j < i; j++)
        if (bytes[j] === 0x0a) {
          line++;
          lineStart = j + 1;
        }
      return { offset: i, line, column: i - lineStart + 1 };
    }
    i += len;
  }
  return undefined;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the bytes there are not one (RFC 3629 table). */
export function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Why the bytes are not UTF-8 text when they are plainly something else (UTF-16/32 with a byte-order mark). */
function foreignEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16 (little-endian, with a byte-order mark)';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 (big-endian, with a byte-order mark)';
  return undefined;
}

/**
 * A whole (small) input file as text: a regular file, valid UTF-8 (a leading BOM is kept for the caller to
 * skip). Invalid bytes are refused at their line and column rather than silently read as U+FFFD.
 */
export async function readInputText(path: string, label = ''): Promise<string> {
  await checkInputFile(path, label);
  const name = label ? `${label} ${path}` : path;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new InputFileError(path, describeFileError(e, name) ?? `${name} cannot be read`);
  }
  const foreign = foreignEncoding(bytes);
  if (foreign) throw new InputFileError(path, `${name} is ${foreign}: save it as UTF-8`);
  const bad = findInvalidUtf8(bytes);
  if (bad)
    throw new InputFileError(
      path,
      `${name}:${bad.line}:${bad.column}: not valid UTF-8 (byte 0x${bytes[bad.offset]!.toString(16).padStart(2, '0')}): save it as UTF-8`,
    );
  return bytes.toString('utf8');
}

/** Whether something already exists at an output path (prep commands refuse to overwrite it unasked). */
export async function outputExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
