// Files and uploads: multipart file uploads and upload parts streamed to disk (with the per-file and total
// caps), the file list/retrieve/delete, content downloads streamed from disk, and the Uploads API's
// create → parts → complete/cancel.
import type { EmulatorContext, Reply, RouteRequest, StoredFile, StoredUpload, Style } from '../context';
import { HttpError, newId, paginateWithIds, requireFile } from '../context';
import type { Route } from '../router';
import { checkJsonlFile, formatBytes } from '../storage';

const MAX_PART_BYTES = 64 * 1024 * 1024;

function fileStatus(ctx: EmulatorContext, f: StoredFile, style: Style): string {
  if (ctx.now() < f.processedAt) return style === 'azure' ? 'pending' : 'uploaded';
  return f.check?.formatError ? 'error' : 'processed';
}

export function fileView(ctx: EmulatorContext, f: StoredFile, style: Style): Record<string, unknown> {
  const status = fileStatus(ctx, f, style);
  const out: Record<string, unknown> = { ...f.obj, status };
  if (status === 'error' && f.check?.formatError) out.status_details = f.check.formatError;
  return out;
}

function register(ctx: EmulatorContext, path: string, bytes: number, filename: string, purpose: string) {
  const id = newId('file-');
  const f: StoredFile = {
    obj: { object: 'file', id, bytes, created_at: ctx.sec(), filename, purpose },
    path,
    processedAt: purpose === 'fine-tune' ? ctx.now() + 1000 / ctx.speed : ctx.now(),
  };
  ctx.files.set(id, f);
  return f;
}

/** Registers content already on disk; fine-tune files are checked (read back from disk) first. */
export async function addStoredFile(
  ctx: EmulatorContext,
  path: string,
  bytes: number,
  filename: string,
  purpose: string,
): Promise<StoredFile> {
  const check = purpose === 'fine-tune' ? await checkJsonlFile(path) : undefined;
  const f = register(ctx, path, bytes, filename, purpose);
  if (check) f.check = check;
  return f;
}

/** A small file the emulator writes itself (a job's results CSV). */
export function addGeneratedFile(ctx: EmulatorContext, content: string, filename: string, purpose: string) {
  const { path, bytes } = ctx.storage.writeSmall(content);
  return register(ctx, path, bytes, filename, purpose);
}

export async function deleteFileContent(ctx: EmulatorContext, f: StoredFile): Promise<void> {
  await ctx.storage.remove(f.path, f.obj.bytes);
}

function fileTooLarge(ctx: EmulatorContext, param: string): HttpError {
  return new HttpError(
    413,
    `The file is larger than the emulator's limit of ${formatBytes(ctx.storage.maxFileBytes)} per file.`,
    'file_too_large',
    param,
  );
}

async function createFile(ctx: EmulatorContext, rq: RouteRequest): Promise<Reply> {
  const form = await ctx.storage.receiveMultipart(rq.req, 'file', ctx.storage.maxFileBytes, () =>
    fileTooLarge(ctx, 'file'),
  );
  const file = form.file;
  const drop = () => (file ? ctx.storage.remove(file.path, file.bytes) : Promise.resolve());
  const purpose = form.fields.purpose;
  if (!file)
    throw new HttpError(400, "Missing required parameter: 'file'.", 'missing_required_parameter', 'file');
  if (typeof purpose !== 'string' || !purpose) {
    await drop();
    throw new HttpError(
      400,
      "Missing required parameter: 'purpose'.",
      'missing_required_parameter',
      'purpose',
    );
  }
  const filename = file.filename || 'upload';
  if ((purpose === 'fine-tune' || purpose === 'batch') && !/\.jsonl$/i.test(filename)) {
    await drop();
    throw new HttpError(
      400,
      `Invalid file format for ${purpose === 'batch' ? 'Batch' : 'Fine-Tuning'} API. Must be .jsonl (got "${filename}").`,
      'invalid_file_format',
      'file',
    );
  }
  const f = await addStoredFile(ctx, file.path, file.bytes, filename, purpose);
  return { status: 200, json: fileView(ctx, f, rq.style) };
}

function listFiles(ctx: EmulatorContext, rq: RouteRequest): Reply {
  const purpose = rq.query.get('purpose');
  const order = rq.query.get('order') === 'asc' ? 'asc' : 'desc';
  let list = [...ctx.files.values()].filter((f) => !f.deleted && (!purpose || f.obj.purpose === purpose));
  if (order === 'desc') list = list.reverse();
  const json = paginateWithIds(
    list.map((f) => ({ ...fileView(ctx, f, rq.style), id: f.obj.id })),
    rq.query,
    10_000,
  );
  return { status: 200, json };
}

function requireUpload(ctx: EmulatorContext, id: string): StoredUpload {
  const u = ctx.uploads.get(id);
  if (!u) throw new HttpError(404, `No such Upload: ${id}`, null, 'upload_id');
  return u;
}

async function dropParts(ctx: EmulatorContext, u: StoredUpload): Promise<void> {
  const parts = [...u.parts.values()];
  u.parts.clear();
  await Promise.all(parts.map((p) => ctx.storage.remove(p.path, p.bytes)));
}

function createUpload(ctx: EmulatorContext, rq: RouteRequest): Reply {
  const { bytes, filename, purpose, mime_type } = rq.json();
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0)
    throw new HttpError(400, "'bytes' must be a non-negative integer.", 'invalid_request', 'bytes');
  if (bytes > 8 * 1024 ** 3)
    throw new HttpError(400, 'An Upload may be at most 8 GB.', 'invalid_request', 'bytes');
  if (bytes > ctx.storage.maxFileBytes) throw fileTooLarge(ctx, 'bytes');
  if (typeof filename !== 'string' || !filename)
    throw new HttpError(
      400,
      "Missing required parameter: 'filename'.",
      'missing_required_parameter',
      'filename',
    );
  if (typeof purpose !== 'string')
    throw new HttpError(
      400,
      "Missing required parameter: 'purpose'.",
      'missing_required_parameter',
      'purpose',
    );
  if (typeof mime_type !== 'string')
    throw new HttpError(
      400,
      "Missing required parameter: 'mime_type'.",
      'missing_required_parameter',
      'mime_type',
    );
  const id = newId('upload_');
  const u: StoredUpload = {
    obj: {
      id,
      object: 'upload',
      bytes,
      created_at: ctx.sec(),
      filename,
      purpose,
      status: 'pending',
      expires_at: ctx.sec() + 3600,
      file: null,
    },
    parts: new Map(),
    mimeType: mime_type,
  };
  ctx.uploads.set(id, u);
  return { status: 200, json: u.obj };
}

async function addPart(ctx: EmulatorContext, rq: RouteRequest): Promise<Reply> {
  const u = requireUpload(ctx, rq.params.id!);
  if (u.obj.status !== 'pending')
    throw new HttpError(
      400,
      `Upload ${u.obj.id} is ${u.obj.status}; parts can only be added to pending uploads.`,
      'invalid_upload_state',
    );
  const form = await ctx.storage.receiveMultipart(
    rq.req,
    'data',
    Math.min(MAX_PART_BYTES, ctx.storage.maxFileBytes),
    () =>
      ctx.storage.maxFileBytes < MAX_PART_BYTES
        ? fileTooLarge(ctx, 'data')
        : new HttpError(400, 'A part may be at most 64 MB.', 'invalid_request', 'data'),
  );
  if (!form.file)
    throw new HttpError(400, "Missing required parameter: 'data'.", 'missing_required_parameter', 'data');
  if (u.obj.status !== 'pending') {
    // Cancelled or completed while this part was arriving.
    await ctx.storage.remove(form.file.path, form.file.bytes);
    throw new HttpError(400, `Upload ${u.obj.id} is already ${u.obj.status}.`, 'invalid_upload_state');
  }
  const id = newId('part_');
  u.parts.set(id, { path: form.file.path, bytes: form.file.bytes });
  return { status: 200, json: { id, object: 'upload.part', created_at: ctx.sec(), upload_id: u.obj.id } };
}

async function completeUpload(ctx: EmulatorContext, rq: RouteRequest): Promise<Reply> {
  const u = requireUpload(ctx, rq.params.id!);
  if (u.obj.status !== 'pending')
    throw new HttpError(400, `Upload ${u.obj.id} is already ${u.obj.status}.`, 'invalid_upload_state');
  const ids = rq.json().part_ids;
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string'))
    throw new HttpError(400, "'part_ids' must be a list of part ids.", 'invalid_request', 'part_ids');
  const parts = (ids as string[]).map((pid) => {
    const p = u.parts.get(pid);
    if (!p)
      throw new HttpError(
        400,
        `Unknown part id ${pid} for upload ${u.obj.id}.`,
        'invalid_request',
        'part_ids',
      );
    return p;
  });
  const total = parts.reduce((a, p) => a + p.bytes, 0);
  if (total !== u.obj.bytes)
    throw new HttpError(
      400,
      `The parts hold ${total} bytes but the upload was created for ${u.obj.bytes} bytes.`,
      'invalid_request',
      'part_ids',
    );
  if (!ctx.storage.reserve(total)) throw ctx.storage.storageFull('part_ids');
  // Claimed before the copy so a second complete cannot start one as well.
  u.obj.status = 'completing';
  let path: string;
  try {
    path = await ctx.storage.concat(parts.map((p) => p.path));
  } catch (e) {
    ctx.storage.release(total);
    u.obj.status = 'pending';
    throw e;
  }
  await dropParts(ctx, u);
  const f = await addStoredFile(ctx, path, total, u.obj.filename, u.obj.purpose);
  u.obj.status = 'completed';
  u.obj.file = fileView(ctx, f, rq.style);
  return { status: 200, json: u.obj };
}

async function cancelUpload(ctx: EmulatorContext, rq: RouteRequest): Promise<Reply> {
  const u = requireUpload(ctx, rq.params.id!);
  if (u.obj.status !== 'pending')
    throw new HttpError(400, `Upload ${u.obj.id} is already ${u.obj.status}.`, 'invalid_upload_state');
  u.obj.status = 'cancelled';
  await dropParts(ctx, u);
  return { status: 200, json: u.obj };
}

export const fileRoutes: readonly Route[] = [
  { method: 'POST', path: '/files', handler: createFile, streamsBody: true },
  { method: 'GET', path: '/files', handler: listFiles },
  {
    method: 'GET',
    path: '/files/:id',
    handler: (ctx, rq) => ({ status: 200, json: fileView(ctx, requireFile(ctx, rq.params.id!), rq.style) }),
  },
  {
    method: 'DELETE',
    path: '/files/:id',
    handler: async (ctx, rq) => {
      const f = requireFile(ctx, rq.params.id!);
      f.deleted = true;
      await deleteFileContent(ctx, f);
      return { status: 200, json: { id: f.obj.id, object: 'file', deleted: true } };
    },
  },
  {
    method: 'GET',
    path: '/files/:id/content',
    handler: (ctx, rq) => {
      const f = requireFile(ctx, rq.params.id!);
      return {
        status: 200,
        filePath: f.path,
        contentType: f.obj.filename.endsWith('.csv') ? 'text/csv' : 'application/octet-stream',
      };
    },
  },
  { method: 'POST', path: '/uploads', handler: createUpload },
  { method: 'POST', path: '/uploads/:id/parts', handler: addPart, streamsBody: true },
  { method: 'POST', path: '/uploads/:id/complete', handler: completeUpload },
  { method: 'POST', path: '/uploads/:id/cancel', handler: cancelUpload },
];
