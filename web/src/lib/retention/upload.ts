// Uploads from the browser: one file, multipart, straight to the same-origin /api/assets
// (the site's server streams it on to the API). XMLHttpRequest rather than fetch, because
// only it reports how much of the file has been sent, which the page shows as a bar.
import { UPLOAD_LIMIT_BYTES } from '../../../../domain/retention.ts';
import { friendlyMessage, problemFrom, UNREACHABLE, type ApiProblem } from '../api/errors.ts';
import type { AssetView } from '../../../../domain/contracts/retention.ts';

export type UploadResult =
  { ok: true; asset: AssetView } | { ok: false; problem: ApiProblem; message: string };

const MB = 1024 * 1024;

/** What an upload's refusal means for the person who chose the file. */
export function uploadMessage(problem: ApiProblem): string {
  switch (problem.code) {
    case 'file_too_large':
    case 'unsupported_file_type':
    case 'upload_interrupted':
    case 'storage_unavailable':
    case 'processing_restricted':
      if (problem.message) return problem.message;
  }
  // The site's own server refuses bodies above its limit before the API sees them.
  if (problem.status === 413)
    return `This file is too large. Images can be at most ${UPLOAD_LIMIT_BYTES.image / MB} MB.`;
  if (problem.status === 415) return 'This kind of file is not accepted. Upload a JPEG, PNG or WebP image.';
  return friendlyMessage(problem);
}

export function uploadFile(
  file: File,
  csrfToken: string,
  onProgress?: (fraction: number) => void,
): Promise<UploadResult> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/assets');
    xhr.setRequestHeader('accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
    };
    const fail = (problem: ApiProblem) => resolve({ ok: false, problem, message: uploadMessage(problem) });
    xhr.onerror = () => fail(UNREACHABLE);
    xhr.ontimeout = () => fail(UNREACHABLE);
    xhr.onload = async () => {
      const response = new Response(xhr.responseText || null, {
        status: xhr.status,
        headers: { 'content-type': xhr.getResponseHeader('content-type') ?? 'text/plain' },
      });
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve({ ok: true, asset: (await response.json()) as AssetView });
        } catch {
          fail({ ...UNREACHABLE, status: xhr.status, code: 'internal' });
        }
        return;
      }
      fail(await problemFrom(response));
    };
    const body = new FormData();
    body.append('file', file, file.name);
    xhr.send(body);
  });
}
