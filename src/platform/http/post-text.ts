// A small outbound HTTP client for text protocols (C2SP tlog-witness): one POST
// of a text body, the answer read as text up to a limit. The peer is a remote
// server we do not control; its answer is bounded before it is held in memory.
export interface TextAnswer {
  status: number;
  contentType: string;
  body: string;
}

export async function postText(url: string, body: string, signal: AbortSignal, maxAnswerBytes: number): Promise<TextAnswer> {
  const res = await fetch(url, { method: 'POST', body, signal, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (res.body) {
    // Throwing out of the loop cancels the stream: the rest is never read.
    for await (const chunk of res.body) {
      total += chunk.length;
      if (total > maxAnswerBytes) throw new Error(`the answer from ${new URL(url).host} is over ${maxAnswerBytes} bytes`);
      chunks.push(chunk);
    }
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: new TextDecoder().decode(Buffer.concat(chunks)) };
}
