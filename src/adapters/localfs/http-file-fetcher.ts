import type { FileFetcher } from '../../ports/documents';

export class FileTooLargeError extends Error {
  override readonly name = 'FileTooLargeError';
}

/** Downloads a Teams file-download URL (pre-authorised, short-lived), refusing more than `maxBytes`. */
export class HttpFileFetcher implements FileFetcher {
  constructor(private readonly timeoutMs = 30_000) {}

  async fetch(url: string, maxBytes: number): Promise<Buffer> {
    if (!/^https?:\/\//i.test(url)) throw new Error('download URL must be http(s)');
    const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: 'follow' });
    if (!res.ok || !res.body) throw new Error(`download failed with HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) throw new FileTooLargeError(`file is ${declared} bytes`);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > maxBytes) throw new FileTooLargeError(`file exceeds ${maxBytes} bytes`);
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }
}
