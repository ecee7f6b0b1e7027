/**
 * Answers for requests Node's HTTP parser refuses before the gateway sees them (a header block
 * over its limit, `Content-Length` beside `Transfer-Encoding`, a malformed request line, a
 * request that took too long): by default Node writes a bare status line with no body, so a
 * client expecting api.md's error shape gets nothing to read. Here the same statuses carry
 * `{"error": {"code", "message", "details": []}}`, and the connection is closed (after a
 * parse error the rest of the stream cannot be trusted, as Node itself decides).
 */
import type { Duplex } from 'node:stream';

/** Status, reason phrase, error code and message for a parser error code (Node's own choice of status). */
function answerFor(code: string | undefined): [number, string, string, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'request headers are larger than this server accepts'];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'Payload Too Large', 'PAYLOAD_TOO_LARGE', 'chunk extensions are larger than this server accepts'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'the request was not received in time'];
    default:
      return [400, 'Bad Request', 'BAD_REQUEST', 'malformed HTTP request'];
  }
}

/** The raw HTTP answer for a parser error: a JSON error body, `Connection: close`. */
export function clientErrorResponse(code: string | undefined): string {
  const [status, reason, errorCode, message] = answerFor(code);
  const body = JSON.stringify({ error: { code: errorCode, message, details: [] } });
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * A `clientError` listener for a node:http server. A reset or already closed socket gets
 * nothing (there is no one to answer), and neither does one whose answer has begun (an error
 * mid-response cannot be answered again).
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(error.code));
}
